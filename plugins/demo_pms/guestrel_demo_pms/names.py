"""Invented guests: Chinese and Western names with the e-mail addresses and phone numbers such
guests give. Addresses are on the domains reserved for examples, phone numbers in ranges set
aside for fiction where a country has them, so the demo never names a real person."""
import random
import unicodedata

# (characters, pinyin): how a guest writes the name, and how the name is spelt in an e-mail address.
CHINESE_FAMILY = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
                  ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
                  ("胡", "hu"), ("朱", "zhu"), ("高", "gao"), ("林", "lin"), ("何", "he"), ("郭", "guo"))
CHINESE_GIVEN = (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("磊", "lei"),
                 ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
                 ("明", "ming"), ("超", "chao"), ("秀兰", "xiulan"), ("志强", "zhiqiang"), ("丽华", "lihua"),
                 ("建华", "jianhua"), ("俊杰", "junjie"), ("思雨", "siyu"), ("子涵", "zihan"), ("一鸣", "yiming"))
CHINESE_PREFIXES = ("135", "136", "138", "139", "150", "158", "186", "187", "188")
# (given names, family names, nationality, language, phone number pattern); "#" is a random digit.
WESTERN = (
    (("James", "Olivia", "Ethan", "Grace", "Daniel", "Hannah"), ("Miller", "Davis", "Clark", "Lewis", "Walker"),
     "US", "en-US", "+1 212-555-01##"),
    (("Oliver", "Charlotte", "Harry", "Amelia", "George", "Isla"), ("Hughes", "Wright", "Evans", "Turner"),
     "GB", "en-GB", "+44 20 7946 0###"),
    (("Lukas", "Lena", "Felix", "Marie", "Jonas", "Katrin"), ("Becker", "Hoffmann", "Schäfer", "Koch", "Wolf"),
     "DE", "de", "+49 30 ########"),
    (("Louis", "Camille", "Hugo", "Léa", "Julien", "Élodie"), ("Girard", "Bonnet", "Mercier", "Lambert"),
     "FR", "fr", "+33 1 ## ## ## ##"),
    (("Jack", "Mia", "Noah", "Chloe", "Liam"), ("Kelly", "Ryan", "Murphy", "Bennett"),
     "AU", "en-AU", "+61 2 9### ####"),
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


def _digits(rng: random.Random, pattern: str) -> str:
    return "".join(str(rng.randrange(10)) if char == "#" else char for char in pattern)


def _mailbox(text: str) -> str:
    """The name as mail servers take it: accents dropped (Léa -> lea)."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if char.isascii()).lower()


def invented_guest(seed: str) -> dict:
    """A guest profile (given_name, family_name, full_name for Chinese names, email and phone
    when the guest gave them, nationality, language), the same for the same `seed`."""
    rng = random.Random(seed)
    if rng.random() < 0.65:
        (family, family_pinyin), (given, given_pinyin) = rng.choice(CHINESE_FAMILY), rng.choice(CHINESE_GIVEN)
        profile = {"given_name": given, "family_name": family, "full_name": family + given,
                   "nationality": "CN", "language": "zh-CN"}
        mailbox = f"{given_pinyin}.{family_pinyin}"
        phone = f"+86 {rng.choice(CHINESE_PREFIXES)} {_digits(rng, '#### ####')}"
    else:
        given_names, family_names, nationality, language, pattern = rng.choice(WESTERN)
        given, family = rng.choice(given_names), rng.choice(family_names)
        profile = {"given_name": given, "family_name": family, "nationality": nationality, "language": language}
        mailbox = _mailbox(f"{given}.{family}")
        phone = _digits(rng, pattern)
    if rng.random() < 0.85:
        profile["email"] = f"{mailbox}{rng.randrange(10, 100)}@{rng.choice(EMAIL_DOMAINS)}"
    if rng.random() < 0.8:
        profile["phone"] = phone
    return profile
