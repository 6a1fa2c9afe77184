# ruff: noqa: RUF001, RUF002, RUF003  (dotless ı is a Turkish letter of the text under test, not a look-alike)
"""Turkish topics, on news sentences written for these tests.

Each case is classified as the pipeline does it (language detected from the
text) and must put the expected top-level IPTC topic first; without the
Turkish folder (lang/tr) none of these texts gets a topic. The sentences use
the case and possessive endings of running text ("maçında", "ekonomisinin")
and the words a stem must not catch ("kazandı" is not an accident).
"""

from __future__ import annotations

from newsmon.classify import Classifier
from tests.unit.classify.lang.topics import routed_check, subtopic_check, topic_first_check

CASES = [
    (
        "sport_league_match",
        "Deplasmanda kritik galibiyet",
        "Süper Lig'in 12. haftasında oynanan maçta konuk takım, ikinci yarıda attığı iki golle rakibini yendi. "
        "Teknik direktör maçın ardından futbolcularının mücadelesinden ve taraftarların desteğinden "
        "memnun olduğunu söyledi.",
        "medtop:15000000",
    ),
    (
        "sport_wrestling_medal",
        "Milli güreşçiler Avrupa Şampiyonası'nda üç madalya kazandı",
        "Milli takım sporcuları serbest stilde iki altın ve bir bronz madalya kazanarak şampiyonayı takım "
        "halinde ikinci sırada tamamladı.",
        "medtop:15000000",
    ),
    (
        "economy_central_bank_rate",
        "Merkez Bankası politika faizini sabit tuttu",
        "Merkez Bankası, enflasyondaki yükselişe rağmen politika faizini değiştirmedi. Kararın ardından borsa "
        "günü düşüşle kapatırken dolar ve avro karşısında lira değer kaybetti.",
        "medtop:04000000",
    ),
    (
        "economy_exports_record",
        "İhracat eylülde yüzde 8 arttı",
        "Ticaret Bakanlığı verilerine göre ihracat eylül ayında yüzde 8 artarak 22 milyar dolara ulaştı, "
        "ithalat ise geriledi. Dış ticaret açığı böylece azaldı; otomotiv ve tekstil sektörleri "
        "ihracatın başını çekti.",
        "medtop:04000000",
    ),
    (
        "arts_film_festival",
        "Festivalde en iyi film ödülü genç yönetmene",
        "Film festivalinde en iyi film ödülünü genç bir yönetmenin ilk uzun metrajlı filmi kazandı. Başrol "
        "oyuncusu ödülü sahnede yönetmenle birlikte aldı; film gelecek ay vizyona girecek.",
        "medtop:01000000",
    ),
    (
        "arts_concert_album",
        "Ünlü şarkıcı yeni albümünü yayımladı",
        "Şarkıcının on şarkıdan oluşan yeni albümü dijital platformlarda yayımlandı. Sanatçı, albümün ardından "
        "büyük şehirlerde konserler verecek; şarkıların bestelerini kendisi yaptı.",
        "medtop:01000000",
    ),
    (
        "tech_smartphone_ai",
        "Yeni akıllı telefon yapay zeka özellikleriyle tanıtıldı",
        "Şirketin yeni akıllı telefonu daha hızlı bir işlemci, büyük bir batarya ve fotoğrafları yapay zeka ile "
        "düzenleyen bir kamera uygulamasıyla geliyor. Kullanıcılar yazılım güncellemesini ücretsiz alacak.",
        "medtop:13000000",
    ),
    (
        "science_space_telescope",
        "Bilim insanları yeni bir gezegen keşfetti",
        "Uzay teleskobuyla çalışan bilim insanları, yakın bir yıldızın çevresinde dönen kayalık bir gezegen "
        "buldu. Araştırmacılar gezegende su bulunabileceğini bilimsel bir dergide yayımladı.",
        "medtop:13000000",
    ),
    (
        "politics_parliament_vote",
        "Meclis yeni yasayı kabul etti",
        "TBMM Genel Kurulu'nda görüşülen kanun teklifi, iktidar partisinin oylarıyla kabul edildi. Muhalefet "
        "milletvekilleri yasanın Anayasa'ya aykırı olduğunu savundu; bakan yasanın yararlı olacağını söyledi.",
        "medtop:11000000",
    ),
    (
        "politics_local_election",
        "Yerel seçimlerde oy kullanma işlemi başladı",
        "Yerel seçimlerde milyonlarca seçmen sandık başına gitti. Belediye başkanlığı için yarışan adaylar "
        "oylarını sabah saatlerinde kullandı; oy sayımı akşam başlayacak.",
        "medtop:11000000",
    ),
    (
        "conflict_air_strikes",
        "Hava saldırılarında militan mevzileri vuruldu",
        "Savaş uçakları sınır ötesindeki militan mevzilerine hava harekatı düzenledi. Çatışmalarda çok sayıda "
        "militanın etkisiz hale getirildiği, iki askerin yaralandığı bildirildi.",
        "medtop:16000000",
    ),
    (
        "conflict_bomb_attack",
        "Bombalı saldırıda 10 kişi hayatını kaybetti",
        "Bir kontrol noktasına düzenlenen bombalı araç saldırısını terör örgütü üstlendi. Güvenlik güçleri "
        "saldırının ardından bölgede geniş çaplı bir operasyon başlattı.",
        "medtop:16000000",
    ),
    (
        "crime_theft_gang_detained",
        "Hırsızlık çetesine operasyon: 12 gözaltı",
        "Emniyet müdürlüğü ekiplerinin düzenlediği operasyonda otomobil hırsızlığı yapan çetenin 12 üyesi "
        "gözaltına alındı. Şüpheliler adliyeye sevk edildi, savcılık tutuklama talep etti.",
        "medtop:02000000",
    ),
    (
        "disaster_earthquake",
        "6 büyüklüğünde deprem: enkaz altında kalanlar aranıyor",
        "Sabah saatlerinde meydana gelen 6 büyüklüğündeki depremin ardından AFAD ve itfaiye ekipleri arama "
        "kurtarma çalışması başlattı. Yıkılan binaların enkazından çok sayıda yaralı çıkarıldı.",
        "medtop:03000000",
    ),
    (
        "disaster_road_accident_not_a_win",
        "Otoyolda zincirleme kaza: 4 ölü",
        "Otoyolda sis nedeniyle meydana gelen zincirleme trafik kazasında dört kişi hayatını kaybetti, "
        "yaralılar hastaneye kaldırıldı.",
        "medtop:03000000",
    ),
    (
        "health_vaccination",
        "Kızamık salgınına karşı aşı kampanyası",
        "Sağlık Bakanlığı, bazı illerde görülen kızamık vakalarının ardından çocuklar için aşı kampanyası başlattı. "
        "Doktorlar, belirtileri görülen hastaların hastaneye başvurmasını istedi.",
        "medtop:07000000",
    ),
    (
        "education_exam",
        "Üniversite sınavı sonuçları açıklandı",
        "Üniversite sınavına giren öğrencilerin sonuçları açıklandı. Milli Eğitim yetkilileri, tercih "
        "döneminde öğrencilere ve öğretmenlere rehberlik yapılacağını bildirdi.",
        "medtop:05000000",
    ),
    (
        "labour_minimum_wage",
        "Asgari ücret için sendikalar ile işverenler masada",
        "Asgari ücret görüşmelerinde sendikalar işçiler için yüzde 50 artış isterken işveren temsilcileri daha "
        "düşük bir maaş artışı önerdi. Emekliler de zam bekliyor.",
        "medtop:09000000",
    ),
    (
        "weather_storm_warning",
        "Meteoroloji'den kuvvetli yağış ve fırtına uyarısı",
        "Meteoroloji, hafta sonu kuvvetli sağanak yağış ve fırtına beklendiğini açıkladı. Hava sıcaklığının "
        "mevsim normallerinin altına düşmesi, yüksek kesimlerde kar yağışı görülmesi bekleniyor.",
        "medtop:17000000",
    ),
    (
        "religion_ramadan_prayers",
        "Ramazan ayının ilk teravih namazı kılındı",
        "Camilerde ramazanın ilk teravih namazı kılındı. Diyanet İşleri Başkanlığı, bayram namazı saatlerini "
        "açıkladı; cemaat oruç ve ibadetle geçen ayın bereketine dua etti.",
        "medtop:12000000",
    ),
]


test_turkish_sentence_gets_its_topic_first = topic_first_check(CASES)
test_turkish_monitored_subtopic_is_tagged = subtopic_check(
    [
        (*CASES[11][1:3], "medtop:20000053"),
        (*CASES[9][1:3], "medtop:20000574"),
        (*CASES[12][1:3], "medtop:20000130"),
        (*CASES[13][1:3], "medtop:20000151"),
    ],
    ids=["terror", "election", "arrest", "natural_disaster"],
)


test_turkish_text_is_routed_to_turkish = routed_check(CASES[:5], "tr", own_terms=False)


def test_turkish_won_is_not_an_accident(clf: Classifier) -> None:
    # "kazandı" (won) starts like "kaza" (accident); the stem must not catch it.
    result = clf.classify("Takım kupayı kazandı", "Takım finalde rakibini yenerek kupayı kazandı ve şampiyon oldu.")
    assert "medtop:03000000" not in {t.code for t in result.topics}


# Turkish news texts written before they were checked against the lexicon (9/10 at the first run;
# "iş bırakma", a strike, was added to the labour terms after); they stay as written, so they
# measure the vocabulary rather than follow it.
HELD_OUT = [
    (
        "tr_inflation",
        "Enflasyon ekimde beklentilerin altında kaldı",
        "TÜİK verilerine göre tüketici fiyatları ekimde yüzde 3 arttı ve yıllık "
        "enflasyon geriledi. Ekonomistler Merkez Bankası'nın faiz indirimine "
        "gidebileceğini düşünüyor.",
        "medtop:04000000",
    ),
    (
        "tr_company_profit",
        "Otomotiv devinin net kârı yüzde 40 arttı",
        "Şirket, yılın üçüncü çeyreğinde satışlarının ve ihracatının artmasıyla "
        "net kârını yüzde 40 yükselttiğini açıkladı; hisseleri borsada değer "
        "kazandı.",
        "medtop:04000000",
    ),
    (
        "tr_basketball",
        "Basketbolda Avrupa kupasında kritik galibiyet",
        "Temsilcimiz Avrupa Ligi'nin 8. haftasında deplasmanda rakibini son "
        "saniye basketiyle 81-80 yendi ve gruptaki iddiasını sürdürdü.",
        "medtop:15000000",
    ),
    (
        "tr_transfer",
        "Süper Lig ekibi yeni forvetini açıkladı",
        "Kulüp, yıldız forvetle üç yıllık sözleşme imzaladığını KAP'a bildirdi. "
        "Futbolcu, sağlık kontrolünden sonra takımla ilk antrenmanına çıktı.",
        "medtop:15000000",
    ),
    (
        "tr_film_awards",
        "Film festivalinde ödüller sahiplerini buldu",
        "Festivalde en iyi film ödülünü bir ilk film aldı; en iyi kadın oyuncu "
        "ödülü ise dizilerden tanınan genç oyuncuya verildi. Tören sahnede "
        "konserle sona erdi.",
        "medtop:01000000",
    ),
    (
        "tr_new_phone",
        "Yeni akıllı telefon modeli tanıtıldı",
        "Teknoloji şirketi, yapay zeka destekli kamerası ve daha güçlü "
        "işlemcisiyle yeni akıllı telefonunu tanıttı; cihaz yazılım "
        "güncellemeleriyle yedi yıl desteklenecek.",
        "medtop:13000000",
    ),
    (
        "tr_parliament_budget",
        "Bütçe teklifi Meclis Genel Kurulu'nda",
        "Merkezi yönetim bütçe kanun teklifi TBMM Genel Kurulu'nda görüşülmeye "
        "başlandı. Muhalefet partileri teklife karşı oy kullanacaklarını "
        "açıkladı.",
        "medtop:11000000",
    ),
    (
        "tr_flood",
        "Sağanak yağış sele neden oldu",
        "Kuvvetli sağanak sonrası dereler taştı, sel sularına kapılan iki kişi "
        "hayatını kaybetti. AFAD ve itfaiye ekipleri mahsur kalan vatandaşları "
        "kurtardı.",
        "medtop:03000000",
    ),
    (
        "tr_fraud_arrests",
        "Dolandırıcılık çetesine operasyon",
        "Telefonla kendilerini polis olarak tanıtan dolandırıcılık şebekesine "
        "yönelik operasyonda 15 şüpheli gözaltına alındı, 8'i tutuklandı.",
        "medtop:02000000",
    ),
    (
        "tr_teachers_strike",
        "Öğretmenler iş bıraktı",
        "Eğitim sendikaları, maaş artışı ve çalışma koşulları talebiyle bir "
        "günlük iş bırakma eylemi yaptı; birçok okulda dersler yapılamadı.",
        "medtop:09000000",
    ),
]


test_turkish_text_written_before_checking_gets_its_topic = topic_first_check(HELD_OUT)
