"""Compose grounded answers from plan records: who / list / count / schedule / kpi / narrative / decline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .analyze import FIELD_ALIASES, NARRATIVE_SYNONYMS, STATUS_WORDS, Analysis, department_stem
from .models import KPI, YEARS, Answer, Citation, Initiative, Plan, Section
from .retrieve import QUOTED, Hit, HybridSearcher
from .text import match_key, sentences, tokens

STRONG, OK, WEAK = 0.7, 0.5, 0.3  # coverage thresholds for a record to answer, to be offered, or nothing
TIE = 0.06  # fused-score gap under which two initiatives count as equally likely
STATUS_EN = {
    "新規導入": "new introduction", "新規実施": "new implementation", "新規公開": "new release", "継続": "continued",
    "継続・拡大": "continued and expanded", "検討": "under study", "検討・試行": "study and trial",
    "拡大検討": "studying expansion",
}


@dataclass
class Draft:
    """An answer before it becomes the public model."""

    text: str
    kind: str
    citations: list[Citation]
    grounded: bool = True
    suggestions: list[str] = field(default_factory=list)


def fmt_status(status: str | None, en: bool) -> str:
    """A status for display; None is the plan's — (nothing planned)."""
    if status is None:
        return "— (nothing planned)" if en else "—（予定なし）"
    return f"{status} ({STATUS_EN[status]})" if en and status in STATUS_EN else status


def names_in(question_key: str, name_key: str) -> bool:
    """True when the question names exactly this 「name」 (not a longer name that starts with it)."""
    at = question_key.find(name_key) if len(name_key) >= 3 else -1
    if at < 0:
        return False
    follow = question_key[at + len(name_key) : at + len(name_key) + 1]
    return not re.match(r"[0-9.a-z]", follow)


def join_ja(items: list[str]) -> str:
    """Items joined with the Japanese comma."""
    return "、".join(items)


class Composer:
    """Turns an analysed question and retrieval hits into an answer with citations."""

    def __init__(self, plan: Plan, searcher: HybridSearcher) -> None:
        self.plan, self.searcher = plan, searcher
        self.initiatives = {i.id: i for i in plan.initiatives}
        self.kpis = {k.id: k for k in plan.kpis}
        self.sections = {s.id: s for s in plan.sections}

    # ---------- citations ----------
    def cite_initiative(self, ini: Initiative) -> Citation:
        """The citation of an initiative row."""
        return Citation(
            id=ini.id,
            kind="initiative",
            title=ini.name,
            departments=ini.departments,
            field=f"【分野{ini.field_no}】{ini.field_name}",
            viewpoint=ini.viewpoint,
            goal=ini.goal,
            years=ini.statuses[0].years,
            department_years={s.department: s.years for s in ini.statuses},
            quote=ini.quote,
            location=f"{self.plan.source} {ini.line}行目（2.5 具体的な取組）",
        )

    def cite_kpi(self, kpi: KPI) -> Citation:
        """The citation of a KPI."""
        return Citation(
            id=kpi.id,
            kind="kpi",
            title=kpi.label,
            field=f"【分野{kpi.field_no}】{kpi.field_name}",
            viewpoint=kpi.viewpoint,
            quote=f"{kpi.label} {kpi.target}",
            location=f"{self.plan.source} {kpi.line}行目（3.1 重要業績評価指標(KPI)の設定）",
        )

    def cite_section(self, sec: Section, quote: str) -> Citation:
        """The citation of a narrative section with the quoted sentence(s)."""
        return Citation(
            id=sec.id,
            kind="section",
            title=" › ".join(p for p in sec.path if p),
            quote=quote,
            location=f"{self.plan.source} {sec.line}行目付近（{sec.title}）",
        )

    # ---------- filters ----------
    def subject_tokens(self, a: Analysis) -> tuple[str, ...]:
        """Content tokens left once departments, fields, years, statuses and cue words are taken out."""
        text = a.search_text
        for dep in a.departments:
            text = text.replace(dep, " ")
            text = text.replace(department_stem(dep), " ")
        for names in FIELD_ALIASES.values():
            for n in names:
                text = text.replace(n, " ")
        text = re.sub(r"令和\s*\d+\s*年度?|(FY\s*)?20\d\d\s*年?度?|分野\s*\d|第\s*\d\s*分野|\d+", " ", text)
        for word in STATUS_WORDS:
            text = text.replace(word, " ")
        text = re.sub(
            r"新規|新しい|新しく|新た|始まる|始める|終了|終わる|予定|状況|何も|ない|無い|なし|一覧|関する|関連|取組|施策|事業|分野|"
            r"数|件数|いくつ|何件|目標|KPI|指標|今年度|来年度|再来年度|最終年度|初年度|以降|まで|から|"
            r"initiatives?|projects?|list|new|field|year|fy|kpis?|targets?|all|please|tell|me|about|related|"
            r"there|plan|プラン|計画|全体|全部で|合計|総数|ぜんぶ",
            " ",
            text,
            flags=re.IGNORECASE,
        )
        return self.searcher.query_tokens(text, a.english, topic=True)

    def topic_match(self, rid: str, topic: tuple[str, ...]) -> bool:
        """True when every topic token is in the record's name or context."""
        s = self.searcher
        return all(
            t in s.name_tokens[rid] or t in s.context_tokens[rid] or (len(t) >= 2 and (t in s.name_keys[rid]
                                                                                    or t in s.context_keys[rid]))
            for t in topic
        )

    def status_ok(self, ini: Initiative, a: Analysis) -> bool:
        """Whether an initiative passes the year / status / new / ended filters."""
        years = a.years or list(YEARS)
        if a.new_only and not a.years and not a.status:
            return ini.new
        for st in ini.statuses:
            for y in years:
                value = st.years[y]
                prev = st.years.get(y - 1, "start")
                if a.ended or a.no_plan:
                    if value is None and (a.no_plan or prev is not None):
                        return True
                    continue
                if a.status and (value is None or a.status not in value):
                    continue
                if a.new_only and (value is None or not value.startswith("新規")):
                    continue
                if not a.status and not a.new_only and value is None:
                    continue
                return True
        return False

    def filtered(self, a: Analysis, topic: tuple[str, ...]) -> list[Initiative]:
        """Every initiative passing all filters and the topic, in plan order (complete, not top-k)."""
        out = []
        for ini in self.plan.initiatives:
            if a.departments and not set(a.departments) & set(ini.departments):
                continue
            if a.fields and ini.field_no not in a.fields:
                continue
            if (a.years or a.status or a.new_only or a.ended or a.no_plan) and not self.status_ok(ini, a):
                continue
            if topic and not self.topic_match(ini.id, topic):
                continue
            out.append(ini)
        return out

    # ---------- helpers ----------
    def years_line(self, ini: Initiative, en: bool, years: list[int] | None = None) -> list[str]:
        """One line per department with its statuses for the years asked (all four by default)."""
        years = years or list(YEARS)
        lines = []
        for st in ini.statuses:
            parts = [f"{'FY' if en else ''}{y}{'' if en else '年度'} {fmt_status(st.years[y], en)}" for y in years]
            prefix = f"{st.department}: " if len(ini.statuses) > 1 or en else ""
            lines.append(prefix + " / ".join(parts))
        return lines

    def year_status(self, ini: Initiative, year: int, en: bool) -> str:
        """One year's status; per department when the departments differ."""
        values = {st.department: st.years[year] for st in ini.statuses}
        if len(set(values.values())) == 1:
            return f"{year}: {fmt_status(next(iter(values.values())), en)}"
        return f"{year}: " + ", ".join(f"{d} {fmt_status(v, en)}" for d, v in values.items())

    def initiative_hits(self, a: Analysis, extra: str = "") -> list[Hit]:
        """Initiative hits for the question (plus terms carried over from the conversation)."""
        return self.searcher.search(a.search_text, kinds={"initiative"}, extra_terms=extra, k=6, english=a.english)

    # ---------- intents ----------
    def who(self, a: Analysis, hits: list[Hit]) -> Draft | None:
        """The department(s) of the best initiative; candidates when several match about equally."""
        if not hits or hits[0].coverage < OK and hits[0].exact < 0.8:
            return None
        top = hits[0]
        close = [h for h in hits if h.score >= top.score - TIE and (h.coverage >= OK or h.exact >= 0.8)]
        inis = [self.initiatives[h.record_id] for h in close]
        if len({tuple(i.departments) for i in inis}) > 1 and top.exact < 0.8:
            return self.candidates(a, inis, ambiguous=True)
        return self.card(a, inis, kind="who")

    def card(self, a: Analysis, inis: list[Initiative], kind: str) -> Draft:
        """Departments, place in the plan and yearly statuses of one (or same-department) initiative(s)."""
        en = a.english
        lines = []
        for ini in inis:
            deps = ini.departments
            if en:
                lines.append(f"「{ini.name}」 is run by {', '.join(deps)}"
                             f" (Field {ini.field_no} {ini.field_name}{', new in this plan' if ini.new else ''}).")
            else:
                who = join_ja(deps) + (f"の{len(deps)}課" if len(deps) > 1 else "")
                lines.append(f"「{ini.name}」の担当は{who}です。" + ("（プラン2.0の新規取組）" if ini.new else ""))
                lines.append(f"位置づけ: 【分野{ini.field_no}】{ini.field_name} › {ini.viewpoint} › {ini.goal}")
            years = a.years if kind == "schedule" and a.years else None
            label = "Status by fiscal year" if en else "年度別の予定"
            lines += [f"{label}: {line}" for line in self.years_line(ini, en, years)]
        return Draft("\n".join(lines), kind, [self.cite_initiative(i) for i in inis])

    def candidates(self, a: Analysis, inis: list[Initiative], ambiguous: bool) -> Draft:
        """Several initiatives match about equally (or only loosely): say so and list them."""
        en = a.english
        head = (
            ("Several initiatives match your question equally well:" if ambiguous
             else "I am not sure which initiative you mean. The closest ones in the plan are:")
            if en else
            ("ご質問に同じくらい当てはまる取組が複数あります。" if ambiguous
             else "はっきり該当する取組は見つかりませんでした。近い取組は次のとおりです。")
        )
        lines = [head] + [f"・「{i.name}」（{join_ja(i.departments)}）" for i in inis[:5]]
        lines.append("Please tell me which one you mean." if en else "どの取組についてお知りになりたいか教えてください。")
        return Draft("\n".join(lines), "candidates", [self.cite_initiative(i) for i in inis[:5]])

    def schedule(self, a: Analysis, hits: list[Hit]) -> Draft | None:
        """Yearly statuses of the best initiative, for the year(s) asked."""
        draft = self.who(a, hits)
        if draft is None or draft.kind == "candidates":
            return draft
        inis = [self.initiatives[c.id] for c in draft.citations]
        if not a.years:
            return self.card(a, inis, kind="schedule")
        lines = []
        for ini in inis:
            for st in ini.statuses:
                for y in a.years:
                    status = fmt_status(st.years[y], a.english)
                    if a.english:
                        lines.append(f"In FY{y}, 「{ini.name}」 ({st.department}) is planned as: {status}.")
                    else:
                        lines.append(f"「{ini.name}」（{st.department}）の{y}年度の予定は「{status}」です。")
            lines += [("All years: " if a.english else "全年度: ") + ln for ln in self.years_line(ini, a.english)]
        return Draft("\n".join(lines), "schedule", [self.cite_initiative(i) for i in inis])

    def describe_filters(self, a: Analysis, topic: tuple[str, ...]) -> str:
        """The filters of a list/count question in words."""
        parts = []
        if a.departments:
            parts.append(join_ja(a.departments) if not a.english else ", ".join(a.departments))
        if a.fields:
            parts.append(join_ja(f"【分野{f}】{self.plan.fields.get(f, '')}" for f in a.fields))
        if a.years:
            parts.append(join_ja(f"{y}年度" for y in a.years) if not a.english else ", ".join(f"FY{y}" for y in a.years))
        if a.status:
            parts.append(f"「{a.status}」")
        if a.new_only:
            parts.append("new" if a.english else "新規")
        if a.ended:
            parts.append("ending (— after a planned year)" if a.english else "終了（—）となる")
        if a.no_plan:
            parts.append("nothing planned (—)" if a.english else "予定なし（—）の")
        if topic:
            parts.append("your question's topic" if a.english else "ご質問の内容")
        return " / ".join(parts)

    def list_or_count(self, a: Analysis, topic: tuple[str, ...], count: bool) -> Draft | None:
        """Every initiative matching the filters, counted from the records (never from the top-k)."""
        if not (a.has_filters or topic):
            inis = list(self.plan.initiatives) if count else []
        else:
            inis = self.filtered(a, topic)
        if not inis:
            return None
        en, cond = a.english, self.describe_filters(a, topic)
        if count and a.count_departments:
            deps = list(dict.fromkeys(d for i in inis for d in i.departments))
            head = (f"{len(deps)} departments" + (f" ({cond})" if cond else "") + ": " + ", ".join(deps)) if en else (
                f"{cond + 'の' if cond else ''}取組を担当する課は{len(deps)}課です: {join_ja(deps)}")
            return Draft(head, "count", [self.cite_initiative(i) for i in inis])
        if en:
            noun = "initiative" if len(inis) == 1 else "initiatives"
            head = f"{len(inis)} {noun}" + (f" match ({cond})" if cond else " in the plan") + ":"
        else:
            head = f"{cond + 'に該当する' if cond else 'プランの'}取組は{len(inis)}件です。"
        lines = [head]
        for ini in inis:
            extra = f" [{' / '.join(self.year_status(ini, y, en) for y in a.years)}]" if a.years else ""
            lines.append(f"・「{ini.name}」（{join_ja(ini.departments)}）{extra}")
        return Draft("\n".join(lines), "count" if count else "list", [self.cite_initiative(i) for i in inis])

    def kpi(self, a: Analysis) -> Draft | None:
        """The KPI asked about, or every KPI of the field(s) asked about."""
        if not self.subject_tokens(a):  # "KPIを教えて", "人づくりのKPIは？": every KPI (of the field)
            if "kpi" not in a.cues:
                return None
            if "count" in a.cues:
                return self.kpi_count(a)
            chosen = [k for k in self.plan.kpis if not a.fields or k.field_no in a.fields]
        else:
            hits = self.searcher.search(a.search_text, kinds={"kpi"}, k=5, english=a.english)
            best = [h for h in hits if h.coverage >= OK or h.exact >= 0.8]
            if not best:
                return None
            chosen = [self.kpis[h.record_id] for h in best if h.score >= best[0].score - TIE / 2]
        lines = []
        for k in chosen:
            cum = "2026～2029年度の4年間の累計" if not a.english else "cumulative over FY2026–2029"
            if a.english:
                lines.append(f"KPI 「{k.label}」: target {k.target} by the end of FY2029"
                             f"{' (' + cum + ')' if k.cumulative else ''} — Field {k.field_no} {k.field_name}.")
            else:
                lines.append(f"「{k.label}」の目標値は{k.target}です（{k.target_year}まで"
                             f"{'、' + cum if k.cumulative else ''}。【分野{k.field_no}】{k.field_name} › {k.viewpoint}）。")
        return Draft("\n".join(lines), "kpi", [self.cite_kpi(k) for k in chosen])

    def kpi_count(self, a: Analysis) -> Draft:
        """How many KPIs the plan sets (in the field(s) asked about)."""
        chosen = [k for k in self.plan.kpis if not a.fields or k.field_no in a.fields]
        where = "".join(f"【分野{f}】{self.plan.fields.get(f, '')}" for f in a.fields)
        head = (f"The plan sets {len(chosen)} KPIs{' in ' + where if where else ''} (targets for the end of FY2029):"
                if a.english else f"{where + 'の' if where else 'プランの'}KPIは{len(chosen)}件です（2029年度末の目標）。")
        lines = [head] + [f"・{k.label}: {k.target}" for k in chosen]
        return Draft("\n".join(lines), "count", [self.cite_kpi(k) for k in chosen])

    def names_a_section(self, a: Analysis) -> bool:
        """True when the question's content words are all in one section title (e.g. 推進体制について)."""
        query = set(self.searcher.query_tokens(a.search_text, a.english))
        return bool(query) and any(query <= set(tokens(sec.title)) for sec in self.plan.sections)

    def narrative(self, a: Analysis) -> Draft | None:
        """The sentence(s) of the plan's narrative chapters that answer the question."""
        extra = " ".join(v for k, v in NARRATIVE_SYNONYMS.items() if k in a.text)
        query = self.searcher.query_tokens(f"{a.search_text} {extra}", a.english)
        if not query:
            return None
        weight = self.searcher.bm25.weight
        qkey = match_key(a.text)
        total = sum(weight(t) for t in set(query))
        scored: list[tuple[float, Section, str]] = []
        for sec in self.plan.sections:
            title_tokens = set(tokens(sec.title))
            units = [" ".join(sentences(sec.text))] if sec.id == "S-colophon" else sentences(sec.text)
            title_cov = sum(weight(t) for t in set(query) if t in title_tokens) / total
            if title_cov >= 0.99 and len(sec.text) <= 400:
                scored.append((1.1, sec, sec.text))
            for s in units:
                toks, key = set(tokens(s)) | title_tokens, match_key(s)
                got = sum(weight(t) for t in set(query) if t in toks or (len(t) >= 2 and t in key))
                bonus = 0.2 if any(names_in(qkey, match_key(n)) for n in QUOTED.findall(s)) else 0.0
                scored.append((got / total + 0.1 * title_cov + bonus - len(s) / 20000, sec, s))
        scored.sort(key=lambda x: x[0], reverse=True)
        if not scored or scored[0][0] < OK:
            return None
        score, sec, quote = scored[0]
        if len(quote) < 20:  # a heading-like fragment: add what follows it
            rest = sentences(sec.text)
            at = rest.index(quote) if quote in rest else len(rest)
            quote = " ".join(rest[at : at + 4])[:200]
        title = sec.title if not a.english else f"{sec.title} (section {sec.id[1:]})"
        text = (f"According to the plan ({title}):\n{quote}" if a.english else f"プランの「{sec.title}」によると:\n{quote}")
        return Draft(text, "narrative", [self.cite_section(sec, quote)])

    def decline(self, a: Analysis, near: list[Initiative], reason: str = "") -> Draft:
        """A polite decline with questions the plan can answer (and near records, if any)."""
        examples = self.examples(a.english, near[0] if near else None)
        if a.english:
            lines = [reason or "The Kanazawa DX Action Plan 2.0 does not cover this question."]
            if near:
                lines.append("Related initiatives in the plan: " + "; ".join(f"「{i.name}」 ({', '.join(i.departments)})"
                                                                             for i in near[:3]))
            lines.append("You could ask, for example:")
        else:
            lines = [reason or "申し訳ありません。金沢市DXアクションプラン2.0には、このご質問に答える記載がありません。"]
            if near:
                lines.append("関連しそうな取組: " + "、".join(f"「{i.name}」（{join_ja(i.departments)}）" for i in near[:3]))
            lines.append("プランについては、例えば次のような質問にお答えできます。")
        lines += [f"・{e}" for e in examples]
        return Draft("\n".join(lines), "decline", [self.cite_initiative(i) for i in near[:3]], grounded=False,
                     suggestions=examples)

    def examples(self, en: bool, near: Initiative | None = None) -> list[str]:
        """Three example questions built from the plan's own records (about a related one when there is one)."""
        ini = near or next((i for i in self.plan.initiatives if "「" in i.name), self.plan.initiatives[0])
        name = (re.search(r"「(.+?)」", ini.name) or re.search(r"(.+)", ini.name)).group(1)
        kpi = self.plan.kpis[0] if self.plan.kpis else None
        if en:
            out = [f"Which department runs 「{name}」?", "Which initiatives are new in FY2026?"]
            if kpi:
                out.append(f"What is the target for 「{kpi.label}」?")
            return out
        out = [f"「{name}」の担当課はどこですか？", "2026年度に新規導入される取組は？"]
        if kpi:
            out.append(f"{kpi.label}の目標は？")
        return out


def to_answer(draft: Draft, a: Analysis) -> Answer:
    """The public Answer model of a draft."""
    return Answer(
        text=draft.text,
        grounded=draft.grounded,
        kind=draft.kind,
        citations=draft.citations,
        language="en" if a.english else "ja",
        suggestions=draft.suggestions,
    )
