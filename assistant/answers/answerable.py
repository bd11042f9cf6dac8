"""One answerability check that every grounded answer passes before it is given (the engine applies it).

Grounded promises that the cited records answer what was asked. Two checks so far, both from the records:
- the aspect asked: for an initiative the plan gives its departments, yearly statuses, KPI and place in the plan,
  never phone numbers, places, fees, procedures, vendors, budgets, reasons, current figures, event dates, people,
  web addresses or hours. Such a question gets 「プランには…は書かれていません」, then what the plan does say,
  marked as related information, grounded=False;
- the premise: a department or 新 the question asserts is compared with the cited row and answered
  「いいえ、…」 before the card (the card itself stays grounded: it is the plan's fact).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from ..models import YEARS, Initiative
from ..query import line_start
from ..text import asking_part
from ..understand.frame import Frame
from ..understand.intent import ROW_COUNT
from ..understand.lexicon import section
from ..understand.slots import ENDED_CUE
from .base import Draft, Records, join_ja
from .coverage import ANSWERABLE_ASK, covered
from .subject import own_subject

INITIATIVE_KINDS = frozenset({"who", "schedule", "kpi", "list", "count", "candidates"})
ASSERTS_NEW = re.compile(r"(新しく|新たに|新規(の|で|に)?|初めて|今回(から|の2\.0で))[^。？?]*(始ま|スタート|導入|取組|取り組)|"
                         r"\bnew (initiative|in this plan|in the plan)|\bis (it|this) new\b", re.IGNORECASE)
STARTS = re.compile(r"(から|より)(新規)?(始ま|スタート|開始|導入|実施)|年度?から(です|なの|だ|で|やろ|け)|に(始ま|スタート|開始)|\bstarts? in\b|\bbegins? in\b|"
                    r"\b(starting|introduced) (in|from)\b", re.IGNORECASE)
EVERY_YEAR = re.compile(r"毎年|毎年度|every year|each year|yearly|annually", re.IGNORECASE)
FULL_SCALE = re.compile(r"本格(的に|的な)?(導入|実施|運用|開始|稼働|スタート)?|full[- ]scale|fully (launched|introduced|running)",
                        re.IGNORECASE)
TARGET_BEFORE = re.compile(r"(目標|KPI|target)[^。？?、]{0,8}$", re.IGNORECASE)  # 「目標値はいくら」 asks a target
PRICED = frozenset({"fee", "budget"})  # the aspects whose words (いくら, 万円) also ask a target after 目標
CONFIRMS = re.compile(r"よね|でしょう|だよな|やろ|ですか|ますか|のか|んか|け[?？]|\?|？|\bright\b|isn't it|is it", re.I)


@cache
def aspects(sections: bool = False) -> tuple[tuple[str, str, str, re.Pattern[str]], ...]:
    """(key, Japanese label, English label, pattern) of every aspect the plan never gives for an initiative, from
    the lexicon; sections=True: only those its sections never give either (they do say why, how things stand
    and the plan's period: lexicon "in_sections")."""
    return tuple((k, v["ja"], v["en"], re.compile("|".join(v["patterns"]), re.IGNORECASE))
                 for k, v in section("aspects").items() if not (sections and v.get("in_sections")))


def aspect_asked(text: str, sections: bool = False) -> tuple[str, str, str] | None:
    """The first never-given aspect a question asks about (key, ja, en), or None: its words must be in the asking
    part and not be followed by an ask the plan answers (the asking part of a Japanese question comes last)."""
    text = asking_part(text)
    for key, ja, en, rx in aspects(sections):
        found = [m for m in rx.finditer(text) if key not in PRICED or not TARGET_BEFORE.search(text, 0, m.start())]
        if found and not ANSWERABLE_ASK.search(text, found[-1].end()):
            return key, ja, en
    return None


def checked(r: Records, f: Frame, draft: Draft) -> Draft:
    """The draft as it may be given: grounded only when the cited records answer what was asked."""
    if draft.grounded and kana_unread(f):
        return unread_kana(r, f, draft)
    if draft.kind == "narrative":  # a plan section: 「DX会議の有識者はどなた？」 asks what no section names
        # (a row named: 「AI活用セミナーが1年で終わるのはなぜ」 asks that row's reason, which no section gives)
        aspect = aspect_asked(f.text, sections=not own_subject(f)) if draft.grounded else None
        return not_given(draft, aspect, f.english) if aspect else covered(r, f, draft)
    if not draft.grounded or draft.kind not in INITIATIVE_KINDS:
        return draft
    aspect = aspect_asked(f.text)
    if aspect is not None:
        return not_given(draft, aspect, f.english)
    if (dropped := dropped_ask(f, draft)) is not None:
        return unanswered(draft, dropped, f.english)
    return with_premise(r, f, covered(r, f, draft))


# 「KPIはいくつ設定されているか・…の目標値」 asks how many KPIs besides a target; 「掲載取組数と…KPIの目標値」 a row count
# (not 「生成AIの利用者数のKPIはいくつ？」, which asks its target)
KPI_COUNT = re.compile(r"(KPI|指標|数値目標)(は|が)?(全部で|合計で?)?(いくつ|何個|何件|何項目|何本)(設定|あ[るり])|(KPI|指標)の(数|件数|個数)|"
                       r"how many (kpis|indicators|targets)", re.IGNORECASE)
TOTAL = re.compile(r"(取組|事業)の?総数")  # 「取組の総数」 asks a row count as ROW_COUNT's 「取組数」 does (not 「KPIの総数」)
COUNTED = re.compile(r"\d+件(です|で、)|\d+ initiatives", re.IGNORECASE)  # a draft saying how many rows (not a KPI's 15件)
KPIS_COUNTED = re.compile(r"KPI\s*(は)?\s*\d+件|\d+ KPIs", re.IGNORECASE)  # a draft that says how many KPIs


def dropped_ask(f: Frame, draft: Draft) -> tuple[str, str] | None:
    """The count a question asks that its draft does not give (Japanese, English label), or None: a single KPI's
    target does not say how many KPIs there are, nor KPIs alone how many rows."""
    if draft.kind == "kpi" and KPI_COUNT.search(f.text) and not KPIS_COUNTED.search(draft.text):
        return "KPIの数", "how many KPIs there are"
    rows_asked = ROW_COUNT.search(f.text) or TOTAL.search(f.text)
    if draft.kind in ("kpi", "count") and draft.citations and all(c.kind == "kpi" for c in draft.citations) \
            and rows_asked:
        return "取組の数", "how many initiatives there are"
    if draft.kind in ("who", "schedule") and rows_asked and not COUNTED.search(draft.text):
        return "取組の数", "how many initiatives there are"  # 「分野の取組の総数と、「X」の所管」: X's card alone
    return None


def unanswered(draft: Draft, ask: tuple[str, str], en: bool) -> Draft:
    """The draft as related information (grounded=False), after saying which part of the question it leaves open."""
    ja, label_en = ask
    head = (f"This answer does not say {label_en}, which you also asked; please ask that separately.\n"
            "Related information from the plan:" if en else
            f"ご質問のうち「{ja}」には、この回答では答えていません。分けてお尋ねください。\n参考までに、プランに書かれている関連情報:")
    return replace(draft, text=f"{head}\n{draft.text}", kind="not_in_plan", grounded=False)


KANA_WRITTEN = 0.8  # the share of hiragana among a question's letters from which it is written in kana
KANA_CHARS = 20  # from this long a kana question describes something (「それ、どこの課？」 refers back instead)
KANA_READ = 0.6  # how well a record's reading must match a kana question to be what it names (かなぱす → かなパス)
LETTER = re.compile(r"[^\s\W\d_]")
REFERS = ("subject", "department", "narrow", "correction", "other", "shift")


def kana_unread(f: Frame) -> bool:
    """True when a fresh question written in hiragana names no record by its reading: its words split into pieces
    that match rows by chance (「としょかんの ほんを LINEで よやく…」 is not the garbage app), so no answer it gets by
    meaning is grounded; 「かなぱすのりようしゃのもくひょう」 reads as かなパス and is answered."""
    letters = LETTER.findall(f.text)
    if f.english or len(f.text) < KANA_CHARS or not letters or set(REFERS) & f.refs:
        return False
    if sum("\u3041" <= c <= "\u309f" for c in letters) < KANA_WRITTEN * len(letters):
        return False
    best = f.best("initiative", "kpi")
    return best is None or (best.reading < KANA_READ and best.exact < 0.8)


def unread_kana(r: Records, f: Frame, draft: Draft) -> Draft:
    """The draft as an unsure offer (grounded=False): the closest rows, and a request to name what is meant."""
    rows = [r.initiatives[h.record_id] for h in f.ranked("initiative")[:3]]
    lines = ["ご質問の言葉を、プランの取組にはっきり結びつけられませんでした（ひらがなの言葉を読み違えているかもしれません）。"
             "取組の名前や漢字を添えて、もう一度お尋ねください。近い取組:"]
    lines += [f"・「{i.name}」（{join_ja(i.departments)}）" for i in rows]
    return Draft("\n".join(lines), "candidates", [r.cite_initiative(i) for i in rows], grounded=False)


def not_given(draft: Draft, aspect: tuple[str, str, str], en: bool) -> Draft:
    """「プランには〇〇は書かれていません」 first, then what the plan says, as related information (not grounded)."""
    _key, ja, label_en = aspect
    if en:
        head = (f"The plan does not give {label_en}. It lists each initiative's department, yearly status and KPI "
                "only; for anything else please ask the department.\nRelated information from the plan:")
    else:
        head = (f"プランには{ja}は書かれていません（プランに載っているのは、取組ごとの担当課・年度ごとの予定・目標（KPI）です）。"
                "詳しくは担当課にお問い合わせください。\n参考までに、プランに書かれている関連情報:")
    return replace(draft, text=f"{head}\n{draft.text}", kind="not_in_plan", grounded=False)


def with_premise(r: Records, f: Frame, draft: Draft) -> Draft:
    """A card whose question asserts a department, 新, an end year or a start year starts with the plan's answer to
    it (「いいえ、…」, or 「はい、…」 for a year that holds)."""
    if draft.kind not in ("who", "schedule") or len(draft.subjects) != 1 or draft.subjects[0] not in r.initiatives:
        return draft
    ini = r.initiatives[draft.subjects[0]]
    wrong = [d for d in f.slots.departments if d not in ini.departments] or f.slots.unknown_departments
    # a department read from the row's own name (金沢マラソン, 市立工業高校) is the row, not one the question names
    rest = f.text.replace(ini.name, " ")
    said = [d for d in f.slots.departments if d in rest] or f.slots.departments
    notes = []
    if wrong and not f.english and (where := extended_to(f.text, wrong)):
        return not_extended(draft, ini, where)
    if wrong and (not set(said) & set(ini.departments) or also_runs(f.text, wrong)
                  or set(wrong) & set(f.asserted)):  # 「市立工業高校における…は、Dが担当ですよね」: D is asserted
        notes.append(wrong_department(ini, f.english))
    elif f.asserted and set(f.asserted) <= set(ini.departments):
        notes.append(right_department(ini, f.english))
    if not ini.new and ASSERTS_NEW.search(f.text) and CONFIRMS.search(f.text):
        notes.append(f"No: 「{ini.name}」 is not new in this plan (it has no 新 mark)." if f.english else
                     f"いいえ、「{ini.name}」はプラン2.0の新規取組ではありません（新マークがなく、これまでからの取組です）。")
    years = f.slots.years
    if years and CONFIRMS.search(f.text):  # 「2026年度から始まる」 reads as 2026–2029: the start is the first
        if ENDED_CUE.search(f.text) and len(years) == 1:
            notes.append(ends_in(ini, years[0], f.english))
        elif EVERY_YEAR.search(f.text):
            notes.append(every_year(ini, max(years), f.english))
        elif STARTS.search(f.text):
            notes.append(starts_in(ini, min(years), f.slots.departments, f.english))
        elif FULL_SCALE.search(f.text) and len(years) == 1:
            notes.append(full_scale_in(ini, years[0], f.english))
    elif EVERY_YEAR.search(f.text) and CONFIRMS.search(f.text):
        notes.append(every_year(ini, YEARS[-1], f.english))
    elif not f.english and ENDS_ASKED.search(asking_part(f.text)):  # 「…ってもうすぐ終わるって聞いたけどホント？」
        notes.append(ends_at_all(ini, f.english))
    if not notes:
        return draft
    return replace(draft, text="\n".join(notes + [draft.text]))


# after a department the row does not name: the row's service asked of it too (「美大の入試もWeb出願に？」「市民課の窓口にも
# 置かれる？」), not that it runs the row (「危機管理課も担当していますか」 is a premise, corrected)
EXTENDS = re.compile(r"^[^。？?、]{0,14}?(にも|でも|へも|への(拡大|展開|導入|拡充)|まで(拡大|広げ|広が)|も(?![のう]))")
RUNS_IT = re.compile(r"^[^。？?]{0,10}?(担当|所管|関わ|やって|運営|実施して|主管)")


def extended_to(text: str, departments: list[str]) -> str | None:
    """The department a question asks a row's service to reach (「Dにも」「Dの…も」), or None."""
    for dep in departments:
        at = text.find(dep)
        if at < 0:
            continue
        found = EXTENDS.search(text[at + len(dep):])
        if found and not RUNS_IT.search(text[at + len(dep) + found.end():]):
            return dep
    return None


def also_runs(text: str, departments: list[str]) -> bool:
    """True when a question asserts that a department also runs the row (「Dも担当していますか」)."""
    return any(re.search(rf"{re.escape(d)}(が|で)?も[^。？?]{{0,6}}?(担当|所管|関わ|運営|主管)", text) for d in departments)


def not_extended(draft: Draft, ini: Initiative, where: str) -> Draft:
    """「Dでも同じことを？」: the plan names the row for its own departments only; what it says, not grounded."""
    head = (f"プランには、「{ini.name}」を{where}でも行う（{where}に広げる）という記載はありません。"
            f"プランでのこの取組の担当は{join_ja(ini.departments)}です。\n参考までに、プランに書かれている内容:")
    return replace(draft, text=f"{head}\n{draft.text}", kind="not_in_plan", grounded=False)


def runs(years: list[int]) -> list[tuple[int, int]]:
    """Consecutive years as (first, last) pairs: 2027, 2028, 2029 → (2027, 2029)."""
    out: list[tuple[int, int]] = []
    for y in years:
        out[-1:] = [(out[-1][0], y)] if out and out[-1][1] == y - 1 else [*out[-1:], (y, y)]
    return out


def every_year(ini: Initiative, last: int, en: bool) -> str:
    """The answer to 「Y年度まで毎年？」: the years up to Y in which no department's line has a status."""
    upto = [y for y in YEARS if y <= last]
    empty = [y for y in upto if not any(st.years[y] for st in ini.statuses)]
    span = f"{upto[0]}～{upto[-1]}" if len(upto) > 1 else f"{upto[0]}"
    if not empty:
        return (f"Yes: the plan lists 「{ini.name}」 in every year FY{span}." if en else
                f"はい、プランでは「{ini.name}」は{span}年度の毎年に予定があります。")
    gaps = "、".join(f"{a}～{b}年度" if b > a else f"{a}年度" for a, b in runs(empty))
    return (f"No: the plan lists nothing for 「{ini.name}」 in {', '.join(f'FY{y}' for y in empty)} (—)." if en else
            f"いいえ、プランでは「{ini.name}」は{gaps}の予定がありません（—）。")


def full_scale_in(ini: Initiative, year: int, en: bool) -> str:
    """The answer to 「Y年度には本格導入？」: a year whose every line is still a study (検討) or empty is not."""
    states = list(dict.fromkeys(st.years[year] or "—" for st in ini.statuses))
    shown = "」「".join(states)
    if all(v == "—" or "検討" in v for v in states):
        return (f"No: in the plan 「{ini.name}」 is 「{shown}」 in FY{year}, not yet in full operation." if en else
                f"いいえ、プランでは「{ini.name}」の{year}年度は「{shown}」です（本格的な実施の段階ではありません）。")
    return (f"In the plan 「{ini.name}」 is 「{shown}」 in FY{year}." if en else
            f"プランでは「{ini.name}」の{year}年度は「{shown}」です。")


def ends_in(ini: Initiative, year: int, en: bool) -> str:
    """The answer to 「Y年度で終わる？」: whether any department's line has a status after that year."""
    later = [(st.department, y, st.years[y]) for st in ini.statuses for y in YEARS if y > year and st.years[y]]
    if not later:
        return (f"Yes: after FY{year} the plan lists nothing more for 「{ini.name}」 (—)." if en else
                f"はい、「{ini.name}」は{year}年度の後、プランに予定がありません（—）。")
    last = max(y for _d, y, _s in later)
    status = next(s for _d, y, s in later if y == last)
    return (f"No: 「{ini.name}」 does not end in FY{year}; the plan lists it until FY{last} ({status})." if en else
            f"いいえ、「{ini.name}」は{year}年度で終わりません。プランでは{last}年度まで「{status}」の予定です。")


# an end asked of the row itself, as a rumour or a question (not 「仕事が終わるのが遅くて…」 on the asker's day)
ENDS_ASKED = re.compile(r"(終わる|終わっ|終わり|終了|なくなる|無くなる|廃止|打ち切)[^。？?]{0,14}(聞い|らしい|本当|ほんと|ホント|ほんま|マジ|"
                        r"ですか|ますか|んですか|んか|の[？?]|[？?])")


def ends_at_all(ini: Initiative, en: bool) -> str:
    """The answer to 「…は終わる？」 with no year: the last year any department's line has a status."""
    planned = [(y, st.years[y]) for st in ini.statuses for y in YEARS if st.years[y]]
    if not planned:
        return ends_in(ini, YEARS[0], en)
    last = max(y for y, _s in planned)
    if last < YEARS[-1]:
        return ends_in(ini, last, en)
    status = next(s for y, s in planned if y == last)
    return (f"No: the plan lists 「{ini.name}」 until FY{last}, the end of the plan period ({status})." if en else
            f"いいえ、プランでは「{ini.name}」は計画期間の最後の{last}年度まで「{status}」の予定です。")


def starts_in(ini: Initiative, year: int, departments: list[str], en: bool) -> str:
    """The answer to 「Y年度から始まる？」, from the lines of the departments asked (all lines when none is)."""
    lines = [st for st in ini.statuses if st.department in departments] or ini.statuses
    starts = {st.department: line_start(st) for st in lines}
    if not any(starts.values()):
        return (f"No: for 「{ini.name}」 the plan lists only study (検討) in FY2026–2029; it gives no start year."
                if en else f"いいえ、プランでは「{ini.name}」は2026～2029年度とも検討の段階で、始まる年度は書かれていません。")
    if len(set(starts.values())) > 1:
        parts = [f"{d} FY{s[0]} ({s[1]})" if en else f"{d}が{s[0]}年度（{s[1]}）" for d, s in starts.items() if s]
        return (f"For 「{ini.name}」 the plan's start differs by department: {', '.join(parts)}." if en else
                f"「{ini.name}」の開始は課によって異なります: {join_ja(parts)}。")
    first, status = next(iter(starts.values()))
    if first == year:
        return (f"Yes: in the plan 「{ini.name}」 is 「{status}」 in FY{year}." if en else
                f"はい、プランでは「{ini.name}」は{year}年度が「{status}」です。")
    return (f"No: in the plan 「{ini.name}」 starts (「{status}」) in FY{first}, not FY{year}." if en else
            f"いいえ、プランでは「{ini.name}」は{first}年度が「{status}」です（{year}年度ではありません）。")


def right_department(ini: Initiative, en: bool) -> str:
    """The confirmation of the department(s) a question asserted, all of the row's departments named."""
    if en:
        return f"Yes: 「{ini.name}」 is run by {', '.join(ini.departments)}."
    return f"はい、「{ini.name}」の担当は{join_ja(ini.departments)}です。"


def wrong_department(ini: Initiative, en: bool) -> str:
    """The correction of a department the question asserted: the plan's departments only (the wrong name is not
    repeated, so a reader who skims sees only what the plan says)."""
    if en:
        return f"No: 「{ini.name}」 is run by {', '.join(ini.departments)}."
    return f"いいえ、「{ini.name}」の担当は{join_ja(ini.departments)}です。"
