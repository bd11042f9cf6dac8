"""English words of the plan's domain and their Japanese terms, so English questions find Japanese records."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

# Longest phrases first when matching; values are the plan's own Japanese words.
EN_JA: dict[str, str] = {
    "civic tech": "シビックテック", "hackathon": "ハッカソン", "hackathons": "ハッカソン",
    "open data": "オープンデータ", "generative ai": "生成AI", "gen ai": "生成AI", "my number": "マイナンバー",
    "hazard map": "ハザードマップ", "e-book": "電子書籍", "e-books": "電子書籍", "ebook": "電子書籍",
    "e-application": "電子申請", "online application": "電子申請", "electronic application": "電子申請",
    "e-sports": "eスポーツ", "esports": "eスポーツ", "smart work": "スマートワーク", "nursing care": "介護",
    "small business": "中小企業", "smes": "中小企業", "sme": "中小企業", "bus location": "バスロケーション",
    "bus is coming": "バスロケーション", "bus arrives": "バスロケーション", "bus arrival": "バスロケーション",
    "bus tracker": "バスロケーション", "bus tracking": "バスロケーション", "where my bus is": "バスロケーション",
    "where the bus is": "バスロケーション", "in english": "多言語", "chat group": "SNS", "social media": "SNS",
    "bi tool": "BIツール", "free wi-fi": "FREE Wi-Fi", "wi-fi": "Wi-Fi", "wifi": "Wi-Fi",
    "city website": "公式HP", "official website": "公式HP", "website": "HP", "homepage": "HP",
    "app": "アプリ", "apps": "アプリ", "application": "アプリ", "tourism": "観光", "tourist": "観光",
    "sightseeing": "観光", "congestion": "混雑", "crowd": "混雑", "crowding": "混雑", "trash": "ごみ",
    "garbage": "ごみ", "waste": "ごみ", "bin": "ごみ箱", "bins": "ごみ箱", "toilet": "トイレ", "toilets": "トイレ",
    "points": "ポイント", "point": "ポイント", "marathon": "マラソン", "craft": "工芸", "crafts": "工芸",
    "museum": "ミュージアム", "jomon": "縄文", "archive": "アーカイブ", "counter": "窓口", "window": "窓口",
    "ai": "AI", "phone": "電話", "telephone": "電話", "automatic": "自動", "passport": "パスポート",
    "water": "上下水道", "sewer": "上下水道", "foreign": "外国人", "foreigners": "外国人", "library": "図書館",
    "payment": "納付", "payments": "納付", "consultation": "相談", "consultations": "相談", "health": "健康",
    "ambulance": "救急", "emergency": "救急", "hospital": "病院", "medical": "医療", "smartphone": "スマートフォン",
    "course": "講座", "courses": "講座", "lecture": "講座", "class": "講座", "art": "アート", "disability": "障害",
    "disabilities": "障害", "disabled": "障害", "childcare": "子育て", "parenting": "子育て", "child": "子ども",
    "children": "子ども", "school": "学校", "schools": "学校", "coupon": "クーポン", "programming": "プログラミング",
    "robot": "ロボット", "robots": "ロボット", "animation": "アニメーション", "seminar": "セミナー",
    "seminars": "セミナー", "agriculture": "農業", "farming": "農業", "market": "市場", "company": "企業",
    "companies": "企業", "university": "大学", "transport": "交通", "transit": "交通", "traffic": "交通",
    "bus": "バス", "buses": "バス", "timetable": "時刻表", "snow": "除雪", "drone": "ドローン", "drones": "ドローン",
    "bridge": "橋", "session": "コマ 講座", "sessions": "コマ 講座", "cumulative": "累計", "flood risk map": "ハザードマップ", "flood map": "ハザードマップ", "risk map": "ハザードマップ", "borrow": "貸出", "lend": "貸出", "flood": "浸水 水害", "flooding": "浸水 水害", "river": "河川", "rivers": "河川", "camera": "カメラ",
    "cameras": "カメラ", "underpass": "地下道", "evacuation": "避難所", "shelter": "避難所", "shelters": "避難所",
    "disaster": "災害", "disasters": "災害", "chat": "チャット", "leak": "漏水", "leaks": "漏水", "building": "建築",
    "fire": "消防", "construction": "工事", "digital": "デジタル", "data": "データ", "analysis": "分析",
    "mobility": "モビリティ", "portal": "ポータル", "paperless": "ペーパーレス", "multilingual": "多言語",
    "translation": "翻訳", "video": "動画", "videos": "動画", "publicity": "広報", "pr": "広報", "leader": "リーダー",
    "leaders": "リーダー", "advisor": "アドバイザー", "advisors": "アドバイザー", "metaverse": "メタバース",
    "truancy": "不登校", "reading": "読み書き", "sns": "SNS", "staff": "職員", "employees": "職員",
    "vr": "VR", "ar": "AR", "3d": "3D", "iot": "IoT", "gps": "GPS", "ict": "ICT", "dx": "DX", "line": "LINE",
    "kanapass": "かなパス", "kana pass": "かなパス", "nigemasshi": "にげまっし", "norimasshi": "のりまっし",
    "matchbox": "マッチ箱", "insurance": "保険", "tax": "納税", "taxes": "納税", "pension": "年金",
    "certificate": "受給者証", "examination": "審査会", "elderly": "介護", "industrial high school": "工業高校",
    "high school": "高校", "admission": "出願", "startup": "ベンチャーズ", "creators": "クリエイター",
    "spot": "スポット", "spots": "スポット", "forecast": "予測", "prediction": "予測", "visitors": "観光",
    "lecture on fire prevention": "防火講座", "plan period": "プランの期間", "period": "期間",
    "basic philosophy": "基本理念", "philosophy": "基本理念", "vision": "基本理念", "guidelines": "行動指針",
    "action guidelines": "行動指針", "principles": "行動指針", "promotion structure": "推進体制",
    "structure": "推進体制", "council": "DX会議", "dx council": "DX会議", "headquarters": "推進本部",
    "formulated": "策定", "established": "策定", "created": "策定", "adopted": "策定", "members": "構成",
    "composed": "構成", "history": "策定の趣旨", "purpose": "策定の趣旨", "kpi": "KPI", "kpis": "KPI", "fire prevention": "防火", "remote": "遠隔操作",
}
EN_JA.update({
    "inspection": "点検", "inspect": "点検", "pipe": "水管", "water pipe bridge": "水管橋", "lending": "貸出",
    "usage": "利用件数", "users": "利用者数", "satisfaction": "満足度", "participants": "参加者数",
    "downloads": "ダウンロード数", "views": "ビュー数", "lottery": "ポイント", "coupon": "クーポン",
    "college of art": "金沢美術工芸大学", "art college": "金沢美術工芸大学", "art university": "金沢美術工芸大学",
    "graduation": "卒業", "graduation works": "卒業・修了制作", "archive": "アーカイブ", "business": "事業者",
    "businesses": "事業者", "shops": "商店街", "shop": "商店街",
    "monitoring": "監視", "farmer": "農業", "farmers": "農業", "farm": "農業", "marathon app": "マラソン 公式アプリ", "sensor": "センサー", "road": "道路", "roads": "道路", "tourism data": "観光データ",
    "no visit": "行かない", "no visiting": "行かない", "no forms": "書かない", "no form": "書かない", "no writing": "書かない",
    "no waiting": "待たない", "no wait": "待たない", "sorting": "分別", "separation": "分別", "school route": "通学路", "map": "マップ", "maps": "マップ", "small companies": "中小企業", "small company": "中小企業", "support": "支援",
    "online": "オンライン", "women": "女性", "woman": "女性", "consumer": "消費生活", "foreigner": "外国人",
    "language": "言語", "languages": "言語", "web application": "Web出願 電子申請", "health insurance": "保険", "maternal": "母子", "mother": "母子", "mothers": "母子",
    "handbook": "手帳", "maternal and child health handbook": "母子健康手帳", "child health": "母子健康", "contest": "コンテスト", "contests": "コンテスト",
    "coding": "プログラミング", "club": "部活", "clubs": "部活", "web applications": "Web出願 電子申請",
})
MAX_WORDS = max(len(k.split()) for k in EN_JA)


def _lookup(phrase: str) -> str | None:
    """The Japanese term of an English phrase, trying singular forms too."""
    for form in (phrase, phrase[:-1] if phrase.endswith("s") else "", phrase[:-2] if phrase.endswith("es") else ""):
        if form and form in EN_JA:
            return EN_JA[form]
    return None


def english_units(question: str) -> list[tuple[str, str]]:
    """The question's words as (phrase, Japanese term or ""), the glossary's longest phrases taken first."""
    words = re.findall(r"[a-z0-9][a-z0-9\-]*", question.lower())
    out, i = [], 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            term = _lookup(" ".join(words[i : i + n]))
            if term:
                out.append((" ".join(words[i : i + n]), term))
                i += n
                break
        else:
            out.append((words[i], ""))
            i += 1
    return out


def to_japanese_terms(question: str) -> str:
    """The Japanese terms for the domain words an English question uses, longest phrases first."""
    return " ".join(dict.fromkeys(term for _phrase, term in english_units(question) if term))


UI_TEXT = Path(__file__).parent / "static" / "ui-text.json"  # the departments' English names, shared with the UI
GENERIC_EN = re.compile(r"\s+(division|office|center|centre|bureau|section)$", re.I)


@cache
def _english_departments() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each department's English name, and its stem when two words or more remain (Digital Policy), longest first."""
    names = json.loads(UI_TEXT.read_text(encoding="utf-8"))["departments_en"]
    found = []
    for ja, en in names.items():
        stem = GENERIC_EN.sub("", en)
        for name in {en, stem} if len(stem.split()) >= 2 else {en}:
            found.append((len(name), re.compile(rf"\b{re.escape(name)}\b", re.I), ja))
    return tuple((rx, ja) for _, rx, ja in sorted(found, key=lambda f: -f[0]))


def english_departments(question: str) -> list[str]:
    """Departments an English question names by their English names (the Digital Policy Division → デジタル政策課)."""
    return list(dict.fromkeys(ja for rx, ja in _english_departments() if rx.search(question)))
