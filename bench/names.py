"""Names, e-mail domains and preferences the seed draws from, with weights close to how often
they occur among a Chinese chain's guests: a search for "wang wei" must meet the crowds it would
meet in production, not a uniform spread of rare names.

Every given and family name is one ASCII word, and no word is both a given and a family name.
Chinese guests' full names are in characters (HAN), family name first.
"""
from dataclasses import dataclass

# (name, weight). Weights are relative within a list.
CHINESE_FAMILY_NAMES = (
    ("Wang", 72), ("Li", 70), ("Zhang", 66), ("Liu", 54), ("Chen", 46), ("Yang", 32),
    ("Huang", 24), ("Zhao", 22), ("Wu", 21), ("Zhou", 20), ("Xu", 15), ("Sun", 15),
    ("Ma", 13), ("Zhu", 12), ("Hu", 12), ("Guo", 11), ("He", 10), ("Lin", 9), ("Gao", 9),
    ("Luo", 9), ("Zheng", 9), ("Liang", 8), ("Xie", 7), ("Song", 6), ("Tang", 6), ("Han", 5),
    ("Feng", 5), ("Deng", 5), ("Cao", 5), ("Peng", 5), ("Zeng", 5), ("Xiao", 5), ("Tian", 4),
    ("Dong", 4), ("Pan", 4), ("Yuan", 4), ("Cai", 4), ("Jiang", 4), ("Yu", 4), ("Du", 4),
    ("Ye", 3), ("Cheng", 3), ("Su", 3), ("Lyu", 3), ("Ding", 3), ("Ren", 3), ("Shen", 3),
    ("Yao", 3), ("Lu", 3), ("Jin", 3), ("Qian", 2), ("Kong", 2), ("Bai", 2), ("Qin", 2),
    ("Ouyang", 1), ("Situ", 1), ("Zhuge", 1),
)
CHINESE_GIVEN_NAMES = (
    ("Wei", 40), ("Fang", 30), ("Min", 25), ("Jing", 25), ("Lei", 22), ("Jun", 22), ("Yan", 20),
    ("Yong", 18), ("Qiang", 18), ("Jie", 18), ("Tao", 16), ("Ming", 16), ("Chao", 14),
    ("Xiuying", 14), ("Na", 14), ("Hong", 12), ("Ping", 12), ("Gang", 12), ("Hui", 12),
    ("Xin", 12), ("Ying", 12), ("Hao", 10), ("Bo", 10), ("Xiaoming", 8),
    ("Yifan", 8), ("Zihan", 8), ("Haoran", 8), ("Yuxuan", 8), ("Zimo", 6), ("Yichen", 6),
    ("Xinyi", 6), ("Shuang", 6), ("Lanlan", 4), ("Jiahui", 6), ("Mingyu", 5), ("Ruoxi", 5),
    ("Tingting", 5), ("Dandan", 4), ("Jianguo", 4), ("Guoqiang", 4), ("Chunmei", 4),
    ("Xiaohong", 4), ("Wenjie", 4), ("Zhiwei", 4), ("Shuyi", 3), ("Kaiwen", 3), ("Anqi", 3),
)
# The Chinese names in characters, as the profile's full name holds them (张伟) beside the pinyin
# of the passport in the given and family names: searching finds them by either.
HAN = {
    "Wang": "王", "Li": "李", "Zhang": "张", "Liu": "刘", "Chen": "陈", "Yang": "杨", "Huang": "黄",
    "Zhao": "赵", "Wu": "吴", "Zhou": "周", "Xu": "徐", "Sun": "孙", "Ma": "马", "Zhu": "朱", "Hu": "胡",
    "Guo": "郭", "He": "何", "Lin": "林", "Gao": "高", "Luo": "罗", "Zheng": "郑", "Liang": "梁",
    "Xie": "谢", "Song": "宋", "Tang": "唐", "Han": "韩", "Feng": "冯", "Deng": "邓", "Cao": "曹",
    "Peng": "彭", "Zeng": "曾", "Xiao": "肖", "Tian": "田", "Dong": "董", "Pan": "潘", "Yuan": "袁",
    "Cai": "蔡", "Jiang": "蒋", "Yu": "于", "Du": "杜", "Ye": "叶", "Cheng": "程", "Su": "苏", "Lyu": "吕",
    "Ding": "丁", "Ren": "任", "Shen": "沈", "Yao": "姚", "Lu": "卢", "Jin": "金", "Qian": "钱",
    "Kong": "孔", "Bai": "白", "Qin": "秦", "Ouyang": "欧阳", "Situ": "司徒", "Zhuge": "诸葛",
    "Wei": "伟", "Fang": "芳", "Min": "敏", "Jing": "静", "Lei": "磊", "Jun": "军", "Yan": "燕",
    "Yong": "勇", "Qiang": "强", "Jie": "杰", "Tao": "涛", "Ming": "明", "Chao": "超", "Xiuying": "秀英",
    "Na": "娜", "Hong": "红", "Ping": "平", "Gang": "刚", "Hui": "慧", "Xin": "欣", "Ying": "颖",
    "Hao": "浩", "Bo": "博", "Xiaoming": "小明", "Yifan": "一凡", "Zihan": "子涵", "Haoran": "浩然",
    "Yuxuan": "宇轩", "Zimo": "子墨", "Yichen": "奕辰", "Xinyi": "欣怡", "Shuang": "爽", "Lanlan": "兰兰",
    "Jiahui": "佳慧", "Mingyu": "明宇", "Ruoxi": "若曦", "Tingting": "婷婷", "Dandan": "丹丹",
    "Jianguo": "建国", "Guoqiang": "国强", "Chunmei": "春梅", "Xiaohong": "小红", "Wenjie": "文杰",
    "Zhiwei": "志伟", "Shuyi": "书怡", "Kaiwen": "凯文", "Anqi": "安琪",
}

WESTERN_FAMILY_NAMES = (
    ("Smith", 30), ("Johnson", 22), ("Williams", 20), ("Brown", 18), ("Jones", 18),
    ("Garcia", 14), ("Miller", 14), ("Davis", 13), ("Rodriguez", 11), ("Martinez", 11),
    ("Hernandez", 10), ("Lopez", 10), ("Gonzalez", 9), ("Wilson", 9), ("Anderson", 9),
    ("Taylor", 9), ("Moore", 8), ("Jackson", 8), ("Lee", 8), ("Perez", 7), ("Thompson", 7),
    ("White", 7), ("Harris", 7), ("Sanchez", 6), ("Clark", 6), ("Ramirez", 6), ("Lewis", 6),
    ("Robinson", 6), ("Walker", 6), ("Young", 5), ("Allen", 5), ("King", 5), ("Wright", 5),
    ("Hill", 5), ("Green", 5), ("Adams", 5), ("Baker", 5), ("Nelson", 4), ("Carter", 4),
    ("Mueller", 6), ("Schmidt", 5), ("Schneider", 4), ("Fischer", 4), ("Weber", 4),
    ("Meyer", 4), ("Wagner", 3), ("Becker", 3), ("Dubois", 3), ("Bernard", 3), ("Moreau", 3),
    ("Laurent", 2), ("Rossi", 3), ("Russo", 2), ("Ferrari", 2), ("Esposito", 2),
    ("Bianchi", 2), ("Jansen", 2), ("Devries", 2), ("Novak", 2), ("Kowalski", 2),
    ("Nielsen", 2), ("Johansson", 2), ("Oconnor", 1), ("Murphy", 2), ("Kelly", 2),
)
WESTERN_GIVEN_NAMES = (
    ("James", 20), ("Mary", 18), ("John", 18), ("Patricia", 12), ("Robert", 16),
    ("Jennifer", 14), ("Michael", 18), ("Linda", 10), ("David", 18), ("Elizabeth", 12),
    ("William", 14), ("Barbara", 8), ("Richard", 10), ("Susan", 8), ("Joseph", 10),
    ("Jessica", 10), ("Christopher", 8), ("Sarah", 12), ("Daniel", 12), ("Karen", 6),
    ("Matthew", 9), ("Lisa", 8), ("Anthony", 7), ("Nancy", 5), ("Mark", 8), ("Sandra", 5),
    ("Paul", 8), ("Emily", 9), ("Andrew", 8), ("Anna", 9), ("Peter", 8), ("Sophie", 7),
    ("Thomas", 10), ("Laura", 7), ("Lukas", 5), ("Julia", 7), ("Hans", 3), ("Katharina", 4),
    ("Pierre", 4), ("Marie", 6), ("Camille", 3), ("Giulia", 4), ("Marco", 4), ("Francesca", 3),
    ("Jan", 3), ("Eva", 4), ("Lars", 2), ("Ingrid", 2), ("Olivia", 8), ("Noah", 6),
    ("Emma", 8), ("Liam", 6), ("Charlotte", 5), ("Oliver", 6), ("Amelia", 4), ("George", 5),
)



@dataclass(frozen=True)
class Culture:
    code: str
    weight: int
    family_names: tuple
    given_names: tuple
    nationalities: tuple
    language: str
    phone_prefix: str
    # Seeded phone numbers are phone_prefix followed by phone_base + the guest id.
    phone_base: int
    # Chinese full names are written family name first, in characters: 王伟.
    family_first: bool


CULTURES = (
    Culture("cn", 65, CHINESE_FAMILY_NAMES, CHINESE_GIVEN_NAMES, ("CN",), "zh-CN", "+86", 13_000_000_000, True),
    Culture("west", 35, WESTERN_FAMILY_NAMES, WESTERN_GIVEN_NAMES, ("US", "GB", "DE", "FR", "IT", "AU"), "en",
            "+1", 2_000_000_000, False),
)

EMAIL_DOMAINS = ("qq.com", "163.com", "gmail.com", "outlook.com", "126.com", "yahoo.com", "example.com")

# Preference categories the seed uses, created when the database has none with these codes:
# (code, name, is_allergy, values).
PREFERENCE_CATEGORIES = (
    ("drink", "Drinks", False, ("Carrot juice in the fridge", "Sparkling water", "Green tea", "Oat milk")),
    ("pillow", "Pillows", False, ("Buckwheat pillow", "Extra firm pillow", "Two extra pillows")),
    ("room", "Room", False, ("High floor", "Quiet room away from the lift", "Twin beds", "Non-smoking")),
    ("newspaper", "Newspaper", False, ("China Daily", "Financial Times", "No newspaper")),
    ("allergy", "Allergies", True, ("Peanuts", "Shellfish", "Feather pillows", "Gluten")),
)

# Preferences of these categories are prepared before arrival and shown at check-in.
ARRIVAL_CATEGORIES = ("drink", "pillow")


def culture_weight_total() -> int:
    return sum(culture.weight for culture in CULTURES)


def preference_value_count() -> int:
    return sum(len(values) for _code, _name, _allergy, values in PREFERENCE_CATEGORIES)


def weighted(names) -> list[str]:
    """Each name repeated by its weight: an index drawn uniformly picks names as often as they occur."""
    return [name for name, weight in names for _ in range(weight)]
