"""English topic vocabulary of today's news, on sentences written for these tests.

Each case is a headline and one or two sentences in the way news sites and feeds
write now (cost of living, apps and crypto, the health service, electoral
commissions, streaming and Afrobeats, free agents), with the IPTC top-level
topic a reader would give it. The second group checks words whose topic
depends on their neighbours, and prefixes that used to catch other words.
"""

from __future__ import annotations

import pytest
import yaml

from newsmon.classify import Classifier
from newsmon.classify.lexicon import DATA_DIR
from tests.unit.classify.lang.topics import (
    ARTS,
    CRIME,
    DISASTER,
    ECONOMY,
    HEALTH,
    POLITICS,
    SCITECH,
    SPORT,
    top_topic,
    topic_first_check,
    word_evidence_check,
    word_no_evidence_check,
)

TODAY = [
    # economy: prices and money as people feel them
    (
        "econ-cost-of-living",
        "Families cut back as cost of living bites",
        "Energy bills and food prices keep climbing, and the price cap rises again in April.",
        ECONOMY,
    ),
    (
        "econ-exchange-rate",
        "Naira slides again on the parallel market",
        "Traders say the exchange rate has weakened for a third week while petrol prices went up.",
        ECONOMY,
    ),
    (
        "econ-startups",
        "Lagos start-ups raise record sums",
        "Young entrepreneurs say investors are still backing fintech firms despite rate rises.",
        ECONOMY,
    ),
    (
        "econ-supply-chain",
        "Shortages hit shelves as supply chains strain",
        "Retailers warned that shortages of eggs and tomatoes could last weeks.",
        ECONOMY,
    ),
    (
        "econ-antitrust",
        "Regulator opens antitrust inquiry into insurer deal",
        "The watchdog will examine whether the buyout of the rival insurer hurts customers.",
        ECONOMY,
    ),
    # science and technology
    (
        "tech-crypto",
        "Crypto exchange halts withdrawals",
        "Customers of the cryptocurrency platform say their bitcoin has been frozen since Friday.",
        SCITECH,
    ),
    (
        "tech-driverless",
        "Driverless taxis win city contract",
        "The self-driving cars will carry passengers under a deal with the council.",
        SCITECH,
    ),
    (
        "tech-data-breach",
        "Retailer admits data breach after cyber-attack",
        "Hackers stole the personal details of millions of shoppers, the company said.",
        SCITECH,
    ),
    (
        "tech-ai-chatbot",
        "Schools weigh rules for AI chatbots",
        "Teachers say generative AI tools can write an essay in seconds.",
        SCITECH,
    ),
    (
        "tech-space",
        "Asteroid to pass close to Earth on Sunday",
        "Astronomers say the space rock will be visible through a small telescope.",
        SCITECH,
    ),
    (
        "tech-it-feed",
        "Bank moves IT systems to the cloud",
        "The lender will shut two data centres and run its servers with a cloud service provider.",
        SCITECH,
    ),
    # health: the health service, its staff and its patients
    (
        "health-gp",
        "Patients wait weeks for GP appointments",
        "Surgeries say they cannot find enough nursing staff to keep up with demand.",
        HEALTH,
    ),
    (
        "health-hospice",
        "Hospice struggles with rising bills",
        "The charity cares for people at the end of their lives and relies on donations.",
        HEALTH,
    ),
    (
        "health-ae",
        "Emergency department waiting times at record high",
        "Ambulances queued outside as wards filled up overnight.",
        HEALTH,
    ),
    (
        "health-diagnosis",
        "Faster diagnosis for sickle cell patients",
        "A new screening programme will start in maternity units next year.",
        HEALTH,
    ),
    (
        "health-strike-staff",
        "Nurses vote to strike over pay",
        "Health workers say staff shortages in the NHS put patients at risk.",
        HEALTH,
    ),
    # politics, including how elections and governments elsewhere are reported
    (
        "politics-electoral",
        "Electoral commission sets date for run-off",
        "The incumbent faces the opposition leader after neither reached half of the vote.",
        POLITICS,
    ),
    (
        "politics-inauguration",
        "New leader sworn in at State House",
        "The inauguration was attended by heads of state from across the region.",
        POLITICS,
    ),
    (
        "politics-lawmakers",
        "Lawmakers reject plan to scrap term limits",
        "The constitutional amendment needed two thirds of the National Assembly.",
        POLITICS,
    ),
    (
        "politics-impeachment",
        "Senators begin impeachment hearing",
        "The governing party says the vote will be held before the recess.",
        POLITICS,
    ),
    # arts, culture and entertainment
    (
        "arts-afrobeats",
        "Afrobeats star tops streaming charts",
        "The musician's new single was the most played song in twenty countries this week.",
        ARTS,
    ),
    (
        "arts-nollywood",
        "Nollywood film-makers head to Toronto",
        "Three films from Lagos will be screened to audiences at the festival.",
        ARTS,
    ),
    (
        "arts-headliners",
        "Festival announces its headliners",
        "Performers include a choir, two rappers and a comedian.",
        ARTS,
    ),
    (
        "arts-artwork",
        "Stolen artwork returned",
        "The painter's work had been missing for 30 years before police found it.",
        ARTS,
    ),
    # sport
    (
        "sport-free-agent",
        "Rookie shortstop agrees deal",
        "The free agent hit 20 homers last year.",
        SPORT,
    ),
    (
        "sport-karate",
        "Karate champion eyes Olympic spot",
        "The 19-year-old won gold at the continental championships last month.",
        SPORT,
    ),
    (
        "sport-nfl-feed",
        "Cornerback out with hamstring injury",
        "The All-Star will miss two games, the coach said on Monday.",
        SPORT,
    ),
    # feed items: a headline and one sentence, written the way wires and sites write them now
    (
        "tech-viral-post",
        "Teenager's dance clip goes viral",
        "The video was shared millions of times and the hashtag trended overnight.",
        SCITECH,
    ),
    (
        "tech-messaging",
        "Messaging app adds end-to-end encryption to group chats",
        "Users will need to update before the change reaches them next week.",
        SCITECH,
    ),
    (
        "tech-chipmaker",
        "Chipmaker opens plant as demand for processors soars",
        "The factory will make chips for laptops and data centres.",
        SCITECH,
    ),
    (
        "arts-bookshop",
        "Independent bookshop saved by readers",
        "Authors and poets gave readings to raise the rent for the shop.",
        ARTS,
    ),
    (
        "arts-contestant",
        "Contestant leaves reality show",
        "The presenter said the finale would go ahead on Saturday.",
        ARTS,
    ),
    (
        "sport-re-signed",
        "Pitcher re-signed for two more years",
        "The reliever helped his teammates to the pennant last season.",
        SPORT,
    ),
    (
        "sport-relay",
        "Relay team misses out on medal",
        "A dropped baton in qualifying ended the sprinters' hopes.",
        SPORT,
    ),
    (
        "econ-credit-rating",
        "Ratings agency cuts carmaker's credit rating",
        "Shares fell 4% after the downgrade, and the company's bonds slid.",
        ECONOMY,
    ),
    (
        "econ-offering",
        "Retailer prices initial public offering",
        "The shares will trade from Friday at $24 per share, valuing the group at $3bn.",
        ECONOMY,
    ),
]


test_todays_news_vocabulary_gets_its_topic_first = topic_first_check(TODAY)


# The word of each case that carries today's vocabulary: it must be evidence for the expected topic.
KEY_WORDS = {
    "econ-cost-of-living": "cost of living",
    "econ-exchange-rate": "exchange rate",
    "econ-startups": "entrepreneurs",
    "econ-supply-chain": "shortages",
    "econ-antitrust": "antitrust",
    "tech-crypto": "crypto exchange",
    "tech-driverless": "driverless",
    "tech-data-breach": "data breach",
    "tech-space": "asteroid",
    "tech-it-feed": "it",
    "health-gp": "gp appointments",
    "health-hospice": "hospice",
    "health-ae": "emergency department",
    "health-diagnosis": "diagnosis",
    "health-strike-staff": "health workers",
    "politics-electoral": "electoral",
    "politics-inauguration": "inauguration",
    "politics-lawmakers": "lawmakers",
    "politics-impeachment": "impeachment",
    "arts-afrobeats": "afrobeats",
    "arts-nollywood": "nollywood",
    "arts-headliners": "headliners",
    "arts-artwork": "artwork",
    "sport-free-agent": "shortstop",
    "sport-karate": "karate",
    "sport-nfl-feed": "cornerback",
    "tech-viral-post": "goes viral",
    "tech-messaging": "messaging app",
    "tech-chipmaker": "chipmaker",
    "arts-bookshop": "bookshop",
    "arts-contestant": "contestant",
    "sport-re-signed": "re-signed",
    "sport-relay": "relay",
    "econ-credit-rating": "credit rating",
    "econ-offering": "initial public offering",
}
KEYED = [c for c in TODAY if c[0] in KEY_WORDS]


@pytest.mark.parametrize(("case", "title", "body", "expected"), KEYED, ids=[c[0] for c in KEYED])
def test_todays_word_is_evidence_for_its_topic(
    clf: Classifier, case: str, title: str, body: str, expected: str
) -> None:
    tags = {t.code: t for t in clf.classify(title, body).topics}
    assert expected in tags
    assert KEY_WORDS[case] in {ev.text.lower() for ev in tags[expected].evidence}


CONTEXT = [
    # a follow-us footer names platforms without being technology news
    (
        "footer-not-tech",
        "Library reopens after flood repairs",
        "The council said books had been moved to a new gallery and the author of the local history series "
        "would give a reading. Follow us on Facebook, Twitter and Instagram.",
        ARTS,
    ),
    # a player's contract is sport, not economy
    (
        "player-contract",
        "Striker signs new contract",
        "The club's top scorer agreed a four-year deal before the season starts.",
        SPORT,
    ),
    # most viruses in the news infect people
    (
        "virus-is-health",
        "Virus cases rise in care homes",
        "Residents were tested after the virus spread through two homes.",
        HEALTH,
    ),
    # an American team's defense is no army
    (
        "defense-in-sport",
        "Defense stifles Raiders",
        "The defense stopped the quarterback four times in the second half.",
        SPORT,
    ),
    # an opera company is a troupe, not a business
    (
        "opera-company",
        "Opera company told to find new home",
        "The touring opera company and the ballet company share a building the council wants to sell.",
        ARTS,
    ),
    # "electricity" and "electric" are no elections
    (
        "electricity-not-election",
        "Electricity prices to fall in spring",
        "Suppliers said wholesale electric power has become cheaper, so bills should drop.",
        ECONOMY,
    ),
    # "Singapore" is no singing, "costume" no cost
    (
        "singapore-not-arts",
        "Singapore police arrest three over online fraud",
        "The suspects are accused of cheating victims out of savings; they will appear in court.",
        CRIME,
    ),
    # a word of one topic that used to be caught by another topic's prefix
    (
        "authorities-not-arts",
        "Authorities close port after tanker spill",
        "The port authority said oil had leaked into the harbour and clean-up crews were at work.",
        DISASTER,
    ),
    (
        "operators-not-arts",
        "Rail operators cut fares to win back passengers",
        "The companies said ticket sales and revenue were still below 2019 levels.",
        ECONOMY,
    ),
    (
        "hospitality-not-health",
        "Hospitality firms warn of closures",
        "Pubs and restaurants say energy bills and wages have doubled their costs.",
        ECONOMY,
    ),
    # common words that sport writing uses in its own sense
    (
        "sprint-not-sport",
        "Sprint to finish talks before deadline",
        "Negotiators set out a record number of proposals as ministers try to agree a budget.",
        POLITICS,
    ),
    (
        "transfer-not-sport",
        "Banks to speed up money transfers",
        "Customers will see payments arrive within seconds under the new rules, the lenders said.",
        ECONOMY,
    ),
    (
        "withdrawals-not-conflict",
        "Crypto exchange resumes withdrawals",
        "Customers of the bitcoin platform can take out their funds again, the company said.",
        SCITECH,
    ),
    (
        "assault-is-crime",
        "Man charged with sexual assault",
        "He was arrested on Tuesday and will appear before magistrates next week, police said.",
        CRIME,
    ),
    (
        "costume-not-economy",
        "Theatre appeals for costumes",
        "The theatre needs costumes for its Christmas pantomime and the cast rehearses on Sunday.",
        ARTS,
    ),
]


test_words_told_by_their_neighbours_get_the_right_topic = topic_first_check(CONTEXT)


def test_virus_next_to_computers_is_technology(clf: Classifier) -> None:
    title = "New computer virus spreads by e-mail"
    body = "The malware hides in an attachment and infects Windows PCs, security firms said."
    assert top_topic(clf, title, body) == SCITECH


def test_no_english_topic_lists_a_term_twice() -> None:
    """A term listed twice under one topic (a case twin or a second weight) would count twice per match."""
    doc = yaml.safe_load((DATA_DIR / "lang" / "en" / "topics.yaml").read_text(encoding="utf-8"))
    twice = []
    for code, spec in doc["topics"].items():
        seen: set[str] = set()
        for text in spec["terms"].values():
            for raw in text.split(","):
                term = raw.strip().rstrip("*").lower()
                if term in seen:
                    twice.append(f"{code}: {raw.strip()}")
                seen.add(term)
    assert twice == []


# Economy and business: corporate finance, economic policy and personal finance as news writes them. Each case
# names the word that must be evidence for the economy, and the topic comes first.
FINANCE = [
    (
        "econ-senior-notes",
        "Meat packer plans private offering of senior notes",
        "The company wants to raise about $200 million from the notes to repay bank borrowing.",
        "private offering",
    ),
    (
        "econ-liquidity",
        "Carrier says it needs more liquidity next year",
        "The airline told creditors it would run short of cash unless it finds new financing.",
        "liquidity",
    ),
    (
        "econ-buyback",
        "Chipmaker announces $5bn buyback",
        "The board approved the share repurchase after a strong quarter.",
        "buyback",
    ),
    (
        "econ-writedown",
        "Brewer takes writedown on African unit",
        "The group cut the value of the business after the currency slumped.",
        "writedown",
    ),
    (
        "econ-anti-dumping",
        "Steel makers win anti-dumping duties on imports",
        "The trade body said cheap foreign steel had hurt local mills.",
        "anti-dumping",
    ),
    (
        "econ-fdi",
        "Foreign direct investment into Kenya climbs",
        "Officials said factories and logistics hubs drew most of the money last year.",
        "foreign direct investment",
    ),
    (
        "econ-jobless-claims",
        "Jobless claims edge higher",
        "The number of Americans filing new claims rose last week, figures showed on Thursday.",
        "jobless claims",
    ),
    (
        "econ-rate-cut",
        "Central bank signals rate cut in spring",
        "Policymakers said price growth had slowed enough to ease borrowing costs.",
        "rate cut",
    ),
    (
        "econ-personal-finance",
        "Five ways to clear your credit card balance",
        "Our personal finance editor explains how a balance transfer can save you money.",
        "credit card",
    ),
    (
        "econ-real-estate",
        "First-time homebuyers return to the market",
        "Real estate agents say lower mortgage rates have brought younger buyers back.",
        "homebuyers",
    ),
    (
        "econ-holiday-shopping",
        "Black Friday kicks off a cautious holiday shopping season",
        "Stores opened early but shoppers are spending less than last year.",
        "black friday",
    ),
    (
        "econ-bidder",
        "Private group emerges as surprise bidder for publisher",
        "The buyout firm offered more than the two rivals that had been favourites.",
        "bidder",
    ),
    (
        "econ-tie-up",
        "Carmakers in talks over battery tie-up",
        "The two groups would share the cost of new plants in Europe.",
        "tie-up",
    ),
    (
        "econ-austerity",
        "Austerity budget cuts public sector pay",
        "The finance ministry said the cuts would bring the deficit down to 3% of output.",
        "austerity",
    ),
    (
        "econ-privatisation",
        "Cabinet approves privatisation of state airline",
        "Bidders have until March to make offers for a majority of the carrier.",
        "privatisation",
    ),
    (
        "econ-foreclosures",
        "Foreclosures climb as borrowers fall behind",
        "Lenders took back more homes in the last quarter than in any quarter for ten years.",
        "foreclosures",
    ),
    (
        "econ-remittances",
        "Remittances from the diaspora hit a record",
        "Money sent home by workers abroad now brings in more than coffee and tea, the central bank said.",
        "remittances",
    ),
    (
        "econ-mobile-money",
        "Mobile money transfers overtake bank payments",
        "Traders in rural markets now settle most bills with their phones.",
        "mobile money",
    ),
    (
        "econ-sell-off",
        "Sell-off wipes billions off Asian markets",
        "Investors dumped shares after weak factory figures from China.",
        "sell-off",
    ),
    (
        "econ-regulator-name",
        "Securities and Exchange Commission tightens rules for directors",
        "Listed companies will have to show that board members are independent.",
        "securities and exchange commission",
    ),
    (
        "econ-boardroom",
        "Boardroom battle at retailer ends",
        "The founder won over investors and keeps control of the chain.",
        "boardroom",
    ),
]


test_finance_word_is_economy_evidence_and_economy_comes_first = word_evidence_check(FINANCE, ECONOMY, first=True)


# Politics: legislatures and their business by name, the way news writes them.
LEGISLATURES = [
    (
        "politics-senedd",
        "Senedd member suspended over post",
        "The standards commissioner found she had broken the code of conduct.",
        "senedd",
    ),
    (
        "politics-pmqs",
        "PMQs: leaders trade blows over the leaked report",
        "The exchanges in the chamber were the sharpest of the week.",
        "pmqs",
    ),
    (
        "politics-filibuster",
        "Filibuster stalls voting rights push",
        "Senators talked through the night to stop the measure reaching the floor.",
        "filibuster",
    ),
    (
        "politics-gubernatorial",
        "Gubernatorial race tightens in the north",
        "Both candidates toured market towns at the weekend.",
        "gubernatorial",
    ),
    (
        "politics-lok-sabha",
        "Lok Sabha passes data bill after walkout",
        "Opposition members left the house before the final vote.",
        "lok sabha",
    ),
    (
        "politics-county-assembly",
        "County assembly impeaches governor",
        "Members voted 40 to 12 to remove him over the handling of funds.",
        "county assembly",
    ),
    (
        "politics-brexit",
        "Brexit deal row splits the cabinet",
        "Two ministers threatened to resign over the border arrangements.",
        "brexit",
    ),
    (
        "politics-civil-service",
        "Civil service to shed 20,000 posts",
        "Departments were told to draw up plans before the summer, the minister said.",
        "civil service",
    ),
    (
        "politics-home-office",
        "Home Office rewrites visa rules for carers",
        "The changes will be laid before MPs next week.",
        "home office",
    ),
    (
        "politics-hustings",
        "Candidates face voters at hustings",
        "Housing and the local hospital dominated the debate in the town hall.",
        "hustings",
    ),
    (
        "politics-spending-review",
        "Spending review squeezes departments",
        "The chancellor set out limits for every ministry for the next three years.",
        "spending review",
    ),
]


test_legislature_word_is_politics_evidence_and_politics_comes_first = word_evidence_check(
    LEGISLATURES, POLITICS, first=True
)


def test_a_market_story_with_an_election_in_it_is_economy(clf: Classifier) -> None:
    """Stock markets, Wall Street and the big indices weigh most: the election is why shares moved."""
    title = "Wall Street falls as polls tighten"
    body = "The Dow Jones slid after new polls showed the presidential race too close to call."
    assert top_topic(clf, title, body) == ECONOMY


def test_a_minister_on_the_central_bank_before_an_election_is_politics(clf: Classifier) -> None:
    title = "Minister says central bank will hold its nerve"
    body = "The president told parliament that the central bank would keep inflation in check before the election."
    assert top_topic(clf, title, body) == POLITICS


def test_lawmakers_questioning_a_bank_boss_is_politics(clf: Classifier) -> None:
    """Senators, lawmakers, referendums and party names weigh most: the hearing is the story, not the bank."""
    title = "Lawmakers turn on the bank"
    body = "Senators questioned the lender's boss over pay."
    assert top_topic(clf, title, body) == POLITICS


def test_a_bank_boss_defending_pay_to_shareholders_is_economy(clf: Classifier) -> None:
    title = "Bank boss defends pay"
    body = "The lender's chief executive told shareholders the bonuses were earned."
    assert top_topic(clf, title, body) == ECONOMY


def test_a_drugmaker_story_is_economy(clf: Classifier) -> None:
    """Drugmakers and pharmaceutical companies are an industry: their deals and shares are business news."""
    title = "Drugmaker shares slide"
    body = "The pharmaceutical company lost a fifth of its value after regulators delayed approval of its pill."
    tags = {t.code: t for t in clf.classify(title, body).topics}
    assert top_topic(clf, title, body) == ECONOMY
    assert "drugmaker" in {ev.text.lower() for ev in tags[ECONOMY].evidence}


def test_a_vaccine_story_naming_its_drug_company_is_health(clf: Classifier) -> None:
    title = "New vaccine cuts hospital admissions"
    body = "Patients given the jab were half as likely to need a hospital bed, doctors and the drug company said."
    assert top_topic(clf, title, body) == HEALTH


def test_entertainment__alone_is_weak_arts_evidence(clf: Classifier) -> None:
    """The word names a business sector and a part of any event: on its own it is a weak arts sign."""
    title = "Entertainment group lifts profit"
    body = "The entertainment group said profit rose 12 percent on higher sales."
    tags = {t.code: t for t in clf.classify(title, body).topics}
    assert top_topic(clf, title, body) == ECONOMY
    assert tags[ARTS].score < 0.3


def test_entertainment__still_counts_for_the_arts(clf: Classifier) -> None:
    title = "Summer entertainment guide"
    body = "The best entertainment this summer: a new musical in the West End and an album from the singer."
    tags = {t.code: t for t in clf.classify(title, body).topics}
    assert top_topic(clf, title, body) == ARTS
    assert "entertainment" in {ev.text.lower() for ev in tags[ARTS].evidence}


def test_dvd__as_a_disc_format_is_weak_arts_evidence(clf: Classifier) -> None:
    """A DVD is a disc format first: without films or music around it, it says little about the arts."""
    title = "New disc format wins backing"
    body = (
        "The electronics makers agreed the DVD format that will replace today's DVDs, with more storage on each disc."
    )
    tags = {t.code: t for t in clf.classify(title, body).topics}
    assert top_topic(clf, title, body) == SCITECH
    assert tags[ARTS].score < 0.3


def test_dvd__of_a_film_still_counts_for_the_arts(clf: Classifier) -> None:
    title = "Film out on DVD"
    body = "The director's new film comes out on DVD next week with an extra hour of deleted scenes."
    tags = {t.code: t for t in clf.classify(title, body).topics}
    assert top_topic(clf, title, body) == ARTS
    assert "dvd" in {ev.text.lower() for ev in tags[ARTS].evidence}


# Science and technology: the scientists, space craft and computer parts that science and tech news names,
# with the word of each case that must be evidence for science and technology.
SCIENCE_TECH = [
    (
        "sci-entomologists",
        "Entomologists warn of wild bee decline",
        "Entomologists counted a third fewer bees on farmland than a decade ago, the report said.",
        "entomologists",
    ),
    (
        "sci-ornithologists",
        "Ornithologists record rare visitor",
        "Ornithologists said the bird had been blown off course by autumn gales.",
        "ornithologists",
    ),
    (
        "sci-astrophysicists",
        "Astrophysicists map the early universe",
        "The astrophysicists used a new instrument to measure light from distant galaxies.",
        "astrophysicists",
    ),
    (
        "space-lander",
        "Lander sends first pictures from the surface of Mars",
        "The lander touched down in a crater on Sunday and unfolded its solar panels.",
        "lander",
    ),
    (
        "space-cosmonauts",
        "Cosmonauts return after six months in orbit",
        "The capsule landed in Kazakhstan with two cosmonauts and an American astronaut on board.",
        "cosmonauts",
    ),
    (
        "space-hubble",
        "Telescope spots a new comet",
        "Hubble images showed the comet's tail stretching for millions of kilometres.",
        "hubble",
    ),
    (
        "tech-voip",
        "Operators move calls to VoIP",
        "Phone companies are switching landline customers to VoIP services over fibre lines.",
        "voip",
    ),
    (
        "tech-router",
        "Router flaw lets attackers into home networks",
        "A bug in the firmware of popular routers lets attackers change settings, researchers said.",
        "firmware",
    ),
    (
        "tech-memory-chips",
        "Memory chip prices slide",
        "Makers of DRAM and flash memory expect a glut of chips until the summer.",
        "dram",
    ),
    (
        "tech-hard-drive",
        "Patch fixes hard drive bug",
        "The firmware update stops some hard drives from losing data after a power cut.",
        "hard drive",
    ),
    (
        "tech-graphics-cards",
        "New graphics cards go on sale",
        "The GPUs draw more power than the last generation but run games at higher frame rates.",
        "gpus",
    ),
    (
        "tech-e-scooter",
        "E-scooter batteries get a new safety standard",
        "Makers must fit electric scooters with tested battery packs and chargers, engineers said.",
        "electric scooters",
    ),
    (
        "tech-qr-code",
        "Menus go back to paper as QR codes fade",
        "Diners say scanning a QR code with a phone to order was never popular.",
        "qr code",
    ),
    (
        "tech-video-calls",
        "Video calls replace the office meeting",
        "Workers spend two hours a day on video calls, a survey of remote staff found.",
        "video calls",
    ),
    (
        "tech-drm",
        "E-book sellers drop copy protection",
        "Readers will be able to move their files between devices now that DRM has been removed.",
        "drm",
    ),
    (
        "tech-multiplayer",
        "Online shooter adds a multiplayer mode",
        "Up to 64 players can join one match over the internet from next month.",
        "multiplayer",
    ),
    (
        "tech-spam",
        "Spam floods company inboxes",
        "Firms say spam now makes up most of the mail their staff receive.",
        "spam",
    ),
    (
        "tech-open-source",
        "Open-source project wins funding",
        "The foundation will pay two developers to maintain the code.",
        "open-source",
    ),
    (
        "tech-wi-fi",
        "Council offers free wi-fi in town centre",
        "The council will pay for the service for two years, the leader said.",
        "wi-fi",
    ),
    (
        "tech-cloud-computing",
        "Hospital records move to cloud computing",
        "Patient files will be stored in data centres run by a contractor, the trust said.",
        "cloud computing",
    ),
    (
        "tech-open-database",
        "Retailer's database leaves shoppers exposed",
        "Names and addresses of shoppers sat in an open database for months, a cybersecurity firm found.",
        "database",
    ),
    (
        "tech-operating-system",
        "Android update drains batteries",
        "Owners of older handsets say the new version of the operating system empties the battery by lunchtime.",
        "operating system",
    ),
    (
        "tech-encryption",
        "Ministers back encryption for messaging",
        "The government dropped a plan to weaken end-to-end protection after a public consultation.",
        "encryption",
    ),
]

test_science_and_tech_news_gets_its_topic_first = topic_first_check(
    [(case, title, body, SCITECH) for case, title, body, _word in SCIENCE_TECH]
)


test_science_or_tech_word_is_evidence_for_science_and_technology = word_evidence_check(SCIENCE_TECH, SCITECH)


# Science words written out in full where a prefix caught other words: fossil fuels are energy, a record is
# eclipsed, and a rise is meteoric.
NOT_SCIENCE = [
    (
        "fossil-fuels",
        "Power firms cut use of fossil fuels",
        "Coal and gas plants will close by 2030 under the new plan, the regulator said.",
        "fossil",
    ),
    (
        "eclipsed-record",
        "Striker's tally eclipsed club record",
        "His 40 goals this season eclipsed a mark set in 1931.",
        "eclipsed",
    ),
    (
        "meteoric-rise",
        "Start-up's meteoric rise",
        "The company's value rose tenfold in a year as investors piled in.",
        "meteoric",
    ),
]


test_word_a_science_prefix_used_to_catch_is_no_science_evidence = word_no_evidence_check(NOT_SCIENCE, SCITECH)


STILL_SCIENCE = [
    (
        "sci-fossils",
        "Fossils show feathered dinosaur",
        "The fossilised remains were found in a quarry in north-east China.",
        SCITECH,
    ),
    (
        "sci-meteorite",
        "Meteorite lands in farmer's field",
        "The rock is one of the largest meteorites found in Britain.",
        SCITECH,
    ),
    (
        "sci-solar-eclipse",
        "Millions watch total solar eclipse",
        "The eclipse plunged a strip of the country into darkness for four minutes.",
        SCITECH,
    ),
]

test_fossils_meteorites_and_eclipses_are_still_science = topic_first_check(STILL_SCIENCE)


# "doctored" (falsified) and "patiently" are no health evidence: doctor and patient are written out.
NOT_HEALTH_WORDS = [
    (
        "doctored",
        "Campaign photo was doctored",
        "Experts said the image had been edited to add a larger crowd.",
        "doctored",
    ),
    (
        "patiently",
        "Fans wait patiently for tickets",
        "Queues stretched around the block before the box office opened.",
        "patiently",
    ),
]


test_doctored_and_patiently_are_no_health_evidence = word_no_evidence_check(NOT_HEALTH_WORDS, HEALTH)


STILL_HEALTH = [
    (
        "doctors",
        "Doctors warn of long waits",
        "Family doctors say they cannot see every patient within two weeks.",
        HEALTH,
    ),
    (
        "patients",
        "Patients moved to new wing",
        "A patient's family said the doctor's visits were now daily.",
        HEALTH,
    ),
]

test_doctors_and_patients_are_still_health = topic_first_check(STILL_HEALTH)


# A drugs giant or a pharmaceuticals group is a company, and the single currency is money; drugs in a hospital
# story are still health.
DRUG_INDUSTRY_AND_CURRENCY = [
    (
        "drugs-giant",
        "Drugs giant to cut 2,000 jobs",
        "The pharmaceuticals group said profits fell after its patent on a best-selling pill ran out.",
        ECONOMY,
    ),
    (
        "single-currency",
        "Three more countries to join eurozone",
        "They will adopt the single currency in 2030 once their deficits fall below the limit.",
        ECONOMY,
    ),
    (
        "drugs-in-hospital",
        "Hospitals run short of cancer drugs",
        "Doctors say patients are waiting weeks for treatment because of supply problems.",
        HEALTH,
    ),
]

test_drug_companies_and_the_single_currency_are_economy = topic_first_check(DRUG_INDUSTRY_AND_CURRENCY)


def test_a_football_club_named_galaxy_is_sport_first(clf: Classifier) -> None:
    # Galaxies are astronomy, but the word alone must not outweigh a match report.
    assert (
        top_topic(
            clf, "Galaxy beat Sounders", "The LA Galaxy beat the Sounders 2-1 on Saturday night with a late header."
        )
        == SPORT
    )


def test_a_military_takeover_is_conflict_not_economy(clf: Classifier) -> None:
    body = "The military takeover was condemned by neighbouring countries, and soldiers patrolled the capital."
    assert top_topic(clf, "Army seizes power", body) == "medtop:16000000"
