"""CLI: python -m assistant ask | index | report | diff | eval | fit | bench | feedback export."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import AssistantError


def _print_answer(answer, as_json: bool) -> None:  # noqa: ANN001 - Answer
    """Print an answer and its citations, or the Answer model as JSON."""
    if as_json:
        print(answer.model_dump_json(indent=2))
        return
    print(answer.text)
    if not answer.grounded:
        print("\n（プランに記載のない質問です / not covered by the plan）")
    for c in answer.citations:
        deps = f" — {'、'.join(c.departments)}" if c.departments else ""
        print(f"\n[{c.id}] {c.title}{deps}\n    {c.location}")


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question."""
    from .engine import Assistant

    bot = Assistant.from_config()
    _print_answer(bot.ask(args.question), args.json)
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    """Build the index (or rebuild it) under the build lock, with progress, or show its manifest."""
    from .config import Settings
    from .corpus import load_plan
    from .embeddings import get_embeddings
    from .index import describe, ensure_index, is_current, read_manifest

    settings = Settings()
    if args.status:
        print(json.dumps(describe(settings.index_dir), ensure_ascii=False, indent=2))
        return 0
    if not (args.rebuild or args.fresh) and is_current(read_manifest(settings.index_dir), settings.index_dir, settings.corpus_dir,
                                       settings.embedding, settings.chroma_url):
        print("インデックスは最新です（--rebuild で作り直します）。", file=sys.stderr)
        return 0
    plan = load_plan(settings.corpus_dir)
    print(f"プランを読み込みました: 取組 {len(plan.initiatives)} 件, KPI {len(plan.kpis)} 件, "
          f"節 {len(plan.sections)} 件", file=sys.stderr)
    ensure_index(plan, settings.index_dir, settings.corpus_dir, get_embeddings(settings.embedding), settings.embedding,
                 settings.chroma_url, progress=lambda m: print(m, file=sys.stderr, flush=True),
                 rebuild=args.rebuild or args.fresh, allow_unparsed=args.allow_unparsed, reuse=not args.fresh)
    print("動いているサーバーは1秒以内に新しいインデックスに切り替えます。", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Print the build report of the plan in corpus/ (or a given file), as text or JSON."""
    from .config import Settings
    from .corpus import load_plan, parse_plan
    from .report import build_report, format_report

    if args.file:
        path = Path(args.file)
        if not path.is_file():
            print(f"ファイルが見つかりません: {path}", file=sys.stderr)
            return 2
        plan = parse_plan(path.read_text(encoding="utf-8"), source=path.name)
    else:
        plan = load_plan(Settings().corpus_dir)
    report = build_report(plan)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 1 if report["issues"] else 0


def cmd_diff(args: argparse.Namespace) -> int:
    """What changed between two versions of the plan text."""
    from .corpus import parse_plan
    from .report import diff, snapshot

    plans = []
    for name in (args.old, args.new):
        path = Path(name)
        if not path.is_file():
            print(f"ファイルが見つかりません: {path}", file=sys.stderr)
            return 2
        plans.append(parse_plan(path.read_text(encoding="utf-8"), source=path.name))
    changes = diff(snapshot(plans[0]), snapshot(plans[1]))
    for plan in plans:
        for issue in plan.issues:
            print(f"{plan.source} {issue}", file=sys.stderr)
    print("\n".join(changes) if changes else "変更はありません。")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Score a question set; non-zero exit under --min-score."""
    from .engine import Assistant
    from .evaluate import DEFAULT_SET, format_report, load_cases, run_eval

    path = Path(args.file) if args.file else DEFAULT_SET
    if not path.is_file():
        print(f"質問ファイルが見つかりません: {path}", file=sys.stderr)
        return 2
    bot = Assistant.from_config()
    bot.ask("ウォームアップ")
    report = run_eval(bot, load_cases(path))
    print(format_report(report))
    if args.min_score is not None and report.score < args.min_score:
        print(f"score {report.score:.1%} is under --min-score {args.min_score:.1%}", file=sys.stderr)
        return 1
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Measure build, start-up, latency, HTTP throughput and the naive RAG baseline."""
    from .bench import run_bench

    return run_bench(quick=args.quick, output=Path(args.output))


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit the confidence model on labelled questions and print the cross-validated figures."""
    from .engine import Assistant
    from .evaluate import DEFAULT_SET
    from .fit import fit, fit_intent

    paths = [Path(f) for f in args.files] or [DEFAULT_SET]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"質問ファイルが見つかりません: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    bot = Assistant.from_config()
    summary = fit(bot, paths) | fit_intent(bot, paths)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """Export the stored 👍/👎 ratings as CSV (to a file, or to stdout); a database or file problem exits 2."""
    import sqlite3

    from .config import Settings
    from .feedback import FeedbackStore

    settings = Settings()
    path = settings.feedback_path
    if not path.is_file():
        print(f"エラー: フィードバックのデータベースがありません: {path}（ASSISTANT_FEEDBACK_DB で指定できます）\n"
              f"Error: no feedback database at {path} (set ASSISTANT_FEEDBACK_DB).", file=sys.stderr)
        return 2
    try:
        store = FeedbackStore.from_settings(settings)
        if args.output in (None, "-"):
            n = store.export_csv(sys.stdout, rating=args.rating)
        else:
            n = store.export_file(Path(args.output), rating=args.rating)
    except sqlite3.Error as exc:  # locked by a long write, not a database, damaged
        print(f"エラー: フィードバックのデータベース {path} を読めませんでした（{exc}）。ロック中なら少し待って再度お試し"
              f"ください。\nError: the feedback database {path} could not be read ({exc}).", file=sys.stderr)
        return 2
    except OSError as exc:  # a folder, a missing folder, no permission, a closed pipe
        target = args.output if args.output not in (None, "-") else "stdout"
        print(f"エラー: {target} に書き出せませんでした（{exc.strerror or exc}）。\n"
              f"Error: could not write {target} ({exc.strerror or exc}).", file=sys.stderr)
        return 2
    print(f"{n} 件を書き出しました（{path}）。", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser with its sub-commands."""
    p = argparse.ArgumentParser(prog="python -m assistant", description="金沢市DXアクションプラン2.0 アシスタント")
    sub = p.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the Answer model as JSON")
    ask.set_defaults(func=cmd_ask)
    idx = sub.add_parser("index", help="build the Chroma index (only when missing or stale)")
    idx.add_argument("--rebuild", action="store_true", help="build even when the index is current")
    idx.add_argument("--fresh", action="store_true",
                     help="embed every passage again (a rebuild otherwise keeps the vectors of unchanged passages)")
    idx.add_argument("--status", action="store_true", help="print the manifest")
    idx.add_argument("--allow-unparsed", action="store_true",
                     help="publish even with lines the parser did not understand (recorded in the manifest)")
    idx.set_defaults(func=cmd_index)
    rep = sub.add_parser("report", help="build report of the plan: counts per field, department, year; unread lines")
    rep.add_argument("file", nargs="?", help="a plan text file (default: the newest in corpus/)")
    rep.add_argument("--json", action="store_true")
    rep.set_defaults(func=cmd_report)
    dif = sub.add_parser("diff", help="what changed between two plan text files")
    dif.add_argument("old")
    dif.add_argument("new")
    dif.set_defaults(func=cmd_diff)
    ev = sub.add_parser("eval", help="score a JSONL question set (default: eval/questions.jsonl)")
    ev.add_argument("file", nargs="?")
    ev.add_argument("--min-score", type=float, default=None, help="exit 1 when the score is lower (0–1)")
    ev.set_defaults(func=cmd_eval)
    ft = sub.add_parser("fit", help="fit the confidence model on labelled question sets (default: eval/questions.jsonl)")
    ft.add_argument("files", nargs="*")
    ft.set_defaults(func=cmd_fit)
    bench = sub.add_parser("bench", help="benchmark; Markdown to stdout, JSON to --output")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions (under a minute)")
    bench.add_argument("--output", default="artifacts/bench.json")
    bench.set_defaults(func=cmd_bench)
    fb = sub.add_parser("feedback", help="feedback stored from the UI and the API")
    fb_sub = fb.add_subparsers(dest="action", required=True)
    fb_export = fb_sub.add_parser("export", help="write every rating as CSV (plain-text question and answer)")
    fb_export.add_argument("-o", "--output", help="CSV file (default: stdout)")
    fb_export.add_argument("--rating", choices=["up", "down"], help="only 👍 or only 👎")
    fb_export.set_defaults(func=cmd_feedback)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print a message and exit 2, never a traceback."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except AssistantError as exc:
        print(f"エラー: {exc.detail}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
