# ruff: noqa: RUF001  (Persian letters next to a zero-width non-joiner look "ambiguous" to ruff; they are the text under test)
"""Persian topics, on news sentences written for these tests.

Each case is classified as the pipeline does it (language detected from the
text) and must put the expected top-level IPTC topic first; without the
Persian folder (lang/fa) none of these texts gets a topic. The sentences use
the plural and ezafe endings and the zero-width non-joiner of news Persian.
"""

from __future__ import annotations

import pytest

from newsmon.classify import Classifier

CASES = [
    (
        "sport_national_team_friendly",
        "پیروزی تیم ملی فوتبال در دیدار دوستانه",
        "تیم ملی فوتبال در دیداری دوستانه با دو گل حریف خود را شکست داد. سرمربی تیم پس از مسابقه از عملکرد "
        "بازیکنان و حمایت هواداران در ورزشگاه قدردانی کرد.",
        "medtop:15000000",
    ),
    (
        "sport_wrestling_medal",
        "کشتی‌گیران ایران سه مدال طلا گرفتند",
        "کشتی‌گیران تیم ملی در مسابقات قهرمانی جهان سه مدال طلا و دو مدال برنز به دست آوردند و عنوان قهرمانی "
        "تیمی را کسب کردند.",
        "medtop:15000000",
    ),
    (
        "economy_central_bank_rate",
        "بانک مرکزی نرخ بهره را افزایش داد",
        "بانک مرکزی برای مهار تورم نرخ بهره را دو درصد افزایش داد. پس از این تصمیم شاخص بورس کاهش یافت و قیمت "
        "دلار در بازار ارز ثابت ماند.",
        "medtop:04000000",
    ),
    (
        "economy_oil_exports",
        "صادرات نفت در ماه گذشته افزایش یافت",
        "بر اساس آمار رسمی، صادرات نفت خام به بیش از یک میلیون بشکه در روز رسید و درآمدهای ارزی کشور بیشتر شد؛ "
        "کارشناسان اقتصادی می‌گویند کسری بودجه دولت کاهش خواهد یافت.",
        "medtop:04000000",
    ),
    (
        "arts_film_festival",
        "فیلم تازه این کارگردان در جشنواره فیلم جایزه گرفت",
        "فیلم تازه این کارگردان جایزه بهترین فیلم جشنواره را از آن خود کرد و بازیگران آن در مراسم اختتامیه "
        "روی صحنه رفتند. این فیلم سینمایی از هفته آینده در سینماها اکران می‌شود.",
        "medtop:01000000",
    ),
    (
        "arts_concert_album",
        "خواننده مشهور آلبوم جدیدش را منتشر کرد",
        "این خواننده آلبوم تازه‌ای با ده ترانه منتشر کرد و قرار است در ماه آینده چند کنسرت برگزار کند؛ "
        "آهنگساز این اثر گفت موسیقی آلبوم برگرفته از موسیقی محلی است.",
        "medtop:01000000",
    ),
    (
        "tech_artificial_intelligence",
        "گوشی هوشمند تازه با هوش مصنوعی معرفی شد",
        "این گوشی هوشمند با سیستم‌عامل اندروید، پردازنده‌ای سریع‌تر و باتری بزرگ‌تر عرضه می‌شود و کاربران "
        "می‌توانند با کمک هوش مصنوعی عکس‌های خود را ویرایش کنند.",
        "medtop:13000000",
    ),
    (
        "science_new_planet",
        "دانشمندان سیاره‌ای تازه کشف کردند",
        "گروهی از دانشمندان با تلسکوپ فضایی سیاره‌ای سنگی در نزدیکی منظومه شمسی یافتند؛ پژوهشگران در مقاله‌ای "
        "در یک مجله علمی نوشتند که این سیاره ممکن است آب داشته باشد.",
        "medtop:13000000",
    ),
    (
        "politics_parliament_bill",
        "مجلس لایحه بودجه را تصویب کرد",
        "نمایندگان مجلس در جلسه علنی امروز لایحه بودجه سال آینده را با اکثریت آرا تصویب کردند. سخنگوی دولت گفت "
        "وزیران برای اجرای آن آماده‌اند و رئیس‌جمهور از نمایندگان تشکر کرد.",
        "medtop:11000000",
    ),
    (
        "politics_election",
        "ثبت‌نام نامزدهای انتخابات ریاست جمهوری آغاز شد",
        "ثبت‌نام نامزدهای انتخابات ریاست جمهوری از امروز آغاز شد و احزاب سیاسی نامزدهای خود را معرفی می‌کنند. "
        "رای‌گیری ماه آینده برگزار می‌شود و صندوق‌های رای در سراسر کشور مستقر خواهند شد.",
        "medtop:11000000",
    ),
    (
        "conflict_air_strikes",
        "حملات هوایی به مواضع شبه‌نظامیان",
        "جنگنده‌های ارتش مواضع شبه‌نظامیان را بمباران کردند و درگیری‌ها میان نیروهای مسلح و شورشیان ادامه دارد. "
        "گروه‌های امدادی از افزایش شمار غیرنظامیان کشته‌شده خبر دادند.",
        "medtop:16000000",
    ),
    (
        "conflict_suicide_bombing",
        "انفجار انتحاری در شهر ده کشته برجای گذاشت",
        "یک بمب‌گذار انتحاری در نزدیکی یک ایست بازرسی خود را منفجر کرد. گروه تروریستی داعش مسئولیت این حمله "
        "تروریستی را بر عهده گرفت.",
        "medtop:16000000",
    ),
    (
        "crime_arrest_smugglers",
        "پلیس اعضای یک باند قاچاق را دستگیر کرد",
        "ماموران پلیس اعضای یک باند قاچاق مواد مخدر را دستگیر کردند و مقدار زیادی تریاک و هروئین کشف شد. "
        "پرونده متهمان برای رسیدگی به دادسرا فرستاده شد.",
        "medtop:02000000",
    ),
    (
        "disaster_earthquake",
        "زلزله شش ریشتری چند روستا را ویران کرد",
        "زمین‌لرزه‌ای به بزرگی شش ریشتر چند روستا را ویران کرد. نیروهای امداد و نجات هلال احمر برای آواربرداری "
        "به منطقه اعزام شدند و شمار مصدومان رو به افزایش است.",
        "medtop:03000000",
    ),
    (
        "health_vaccination",
        "آغاز واکسیناسیون کودکان در برابر سرخک",
        "وزارت بهداشت برنامه واکسیناسیون کودکان در برابر سرخک را آغاز کرد. پزشکان می‌گویند شیوع بیماری در "
        "چند استان باعث بستری شدن ده‌ها بیمار در بیمارستان‌ها شده است.",
        "medtop:07000000",
    ),
    (
        "education_university_exam",
        "نتایج کنکور سراسری اعلام شد",
        "نتایج کنکور سراسری اعلام شد و داوطلبان می‌توانند برای انتخاب رشته در دانشگاه‌ها اقدام کنند. وزارت "
        "علوم گفت ظرفیت پذیرش دانشجو افزایش یافته است.",
        "medtop:05000000",
    ),
    (
        "labour_strike",
        "کارگران در اعتراض به حقوق معوق اعتصاب کردند",
        "کارگران یک کارخانه در اعتراض به پرداخت نشدن دستمزد چند ماه اعتصاب کردند. نمایندگان تشکل‌های کارگری "
        "خواستار افزایش حداقل دستمزد و اجرای قانون کار شدند.",
        "medtop:09000000",
    ),
    (
        "environment_air_pollution",
        "آلودگی هوا مدارس پایتخت را تعطیل کرد",
        "به دلیل افزایش آلاینده‌ها و ریزگردها، سازمان حفاظت محیط زیست هشدار داد و مقامات از شهروندان خواستند "
        "از خودروی شخصی کمتر استفاده کنند تا آلودگی هوا کاهش یابد.",
        "medtop:06000000",
    ),
    (
        "weather_snow_cold",
        "برف و باران و کاهش دما در راه است",
        "سازمان هواشناسی از ورود یک سامانه بارشی خبر داد که با بارش برف و باران و وزش باد شدید همراه است. "
        "دمای هوا تا ده درجه کاهش می‌یابد.",
        "medtop:17000000",
    ),
    (
        "religion_pilgrims",
        "زائران اربعین به سوی کربلا حرکت کردند",
        "هزاران زائر برای شرکت در مراسم اربعین به سوی کربلا حرکت کردند. مراسم عزاداری در مساجد و هیئت‌های "
        "مذهبی برگزار می‌شود.",
        "medtop:12000000",
    ),
]


@pytest.mark.parametrize(("title", "body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_persian_sentence_gets_its_topic_first(clf: Classifier, title: str, body: str, expected: str) -> None:
    result = clf.classify(title, body)
    tops = [t for t in result.topics if t.parent is None]
    assert tops and tops[0].code == expected


@pytest.mark.parametrize(
    ("case", "subtopic"),
    [(11, "medtop:20000053"), (9, "medtop:20000574"), (12, "medtop:20000130"), (13, "medtop:20000151")],
    ids=["terror", "election", "arrest", "natural_disaster"],
)
def test_persian_monitored_subtopic_is_tagged(clf: Classifier, case: int, subtopic: str) -> None:
    _, title, body, _ = CASES[case]
    assert subtopic in {t.code for t in clf.classify(title, body).topics}


def test_persian_text_is_routed_to_persian_not_arabic(clf: Classifier) -> None:
    # The Arabic-script stop-lists must tell the two languages apart.
    for _, title, body, _ in CASES[:5]:
        assert clf.classify(title, body).language == "fa"


def test_persian_zwnj_and_plain_space_spellings_both_match(clf: Classifier) -> None:
    for word in ("زمین‌لرزه", "زمین لرزه"):
        tops = [t for t in clf.classify(f"{word} شدید در استان", "").topics if t.parent is None]
        assert tops and tops[0].code == "medtop:03000000"
