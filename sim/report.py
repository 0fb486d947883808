"""One self-contained HTML report of a results folder (``omnisim report DIR``).

The report holds the scenario file itself, the manifest, the comparison table (headline
outcomes per design with 95% intervals, and the paired differences), the breakdowns,
every figure of the folder inlined as SVG (drawn with :mod:`sim.plots` when the folder
has none yet), and the ablation, staffing, sensitivity and sweep results the folder has. It
loads nothing from the network: styles and the one small script are inline, and a
Content-Security-Policy forbids any other source.

The script checks on load that every figure has a size and records the result on the
``<html>`` element (``data-figures``, ``data-blank``, ``data-errors``, ``data-rects``), which
the end-to-end test reads from headless Chromium.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import re
import shlex
from html import escape
from pathlib import Path
from typing import Any

from .errors import SimError
from .experiment.results import atomic_write, file_hash
from .metrics.outcomes import CATALOGUE, HEADLINE, unit_of

__all__ = ["CAPTIONS", "RESULT_FILES", "render_report", "write_report"]

#: The files that make a folder a results folder, and the command that writes each.
RESULT_FILES: dict[str, str] = {
    "summary.json": "omnisim run",
    "ablation.json": "omnisim ablate",
    "staffing.json": "omnisim staff",
    "sensitivity.json": "omnisim sensitivity",
    "sweep_summary.csv": "omnisim sweep",
}

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
margin:0 auto;max-width:1100px;padding:1.5em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top}
th{background:#f5f5f5;text-align:left}td.n{text-align:right;
font-variant-numeric:tabular-nums}td.n small{color:#555;white-space:nowrap}
.wide{overflow-x:auto}
.better{color:#00703c;font-weight:600}.worse{color:#b3261e;font-weight:600}
pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.8em;overflow-x:auto;font-size:.85em}
figure{margin:1.2em 0}figure svg,figure img{display:block;max-width:100%;height:auto}
figcaption{color:#555;font-size:.9em}.note{color:#555;font-size:.9em}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}
"""

_SCRIPT = """
(function(){var errors=[];var root=document.documentElement;
window.addEventListener('error',function(e){errors.push(e.message?String(e.message):
'cannot load '+(e.target&&(e.target.src||e.target.href)));},true);
document.addEventListener('securitypolicyviolation',function(e){errors.push(
'blocked '+e.blockedURI);});
var log=console.error;console.error=function(){errors.push(Array.prototype.join.call(
arguments,' '));return log.apply(console,arguments);};
window.addEventListener('load',function(){var blank=[],rects=[];
document.querySelectorAll('figure.plot').forEach(function(f){
var el=f.querySelector('svg,img');var r=el?el.getBoundingClientRect():null;
var ok=r&&r.width>10&&r.height>10&&(el.tagName.toLowerCase()!=='img'||el.naturalWidth>0);
if(!ok){blank.push(f.id);}if(r){rects.push({id:f.id,x:r.left+window.scrollX,
y:r.top+window.scrollY,w:r.width,h:r.height});}});
root.setAttribute('data-figures',String(rects.length));
root.setAttribute('data-blank',blank.join(' '));
root.setAttribute('data-errors',errors.join(' | '));
root.setAttribute('data-height',String(document.documentElement.scrollHeight));
root.setAttribute('data-rects',JSON.stringify(rects));});})();
"""

#: Captions of the figures omnisim draws, by file name.
CAPTIONS: dict[str, str] = {
    "outcomes": "Headline outcomes per design: mean and 95% interval, one dot per replication",
    "differences": "Paired differences against the baseline, relative to its mean, with 95% "
                   "intervals",
    "time_to_resolution_ecdf": "Distribution of the time to resolution per design",
    "pools_over_day": "Contacts waiting and agent utilization per pool over the day",
    "journeys": "Observed journeys of the issues, one panel per design",
    "ablation": "Effect of each capability, on alone and off alone, with 95% intervals",
    "staffing": "The target outcome against the headcount, per design",
}

_CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SimError(f"{path}: not readable JSON ({e})") from None


def write_report(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the results folder *folder* to *out* (default FOLDER/report.html).

    Raises :class:`~sim.errors.SimError`, in one line saying what was expected, when
    *folder* is not a results folder.
    """
    folder = Path(folder)
    expected = ", ".join(f"{f} ({c})" for f, c in RESULT_FILES.items())
    if not folder.is_dir():
        raise SimError(f"{folder}: no such folder (expected a results folder with one of "
                       f"{expected})")
    if not any((folder / name).is_file() for name in RESULT_FILES):
        raise SimError(f"{folder}: not a results folder (expected one of {expected})")
    target = Path(out) if out is not None else folder / "report.html"
    page = render_report(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, page)
    except OSError as e:
        raise SimError(f"{target}: cannot write the report ({e.strerror})") from None
    return target


def render_report(folder: Path) -> str:
    """The report of *folder* as one HTML document (see the module's description)."""
    data = {name: _read_json(folder / name) for name in RESULT_FILES
            if name.endswith(".json") and (folder / name).is_file()}
    manifest = _read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() \
        else {}
    info: dict[str, Any] = next((d["scenario"] for d in data.values()
                 if isinstance(d, dict) and isinstance(d.get("scenario"), dict)), {})
    title = f"{info.get('name') or _scenario_name(manifest) or folder.name}: omnisim report"
    files = [name for name in RESULT_FILES if (folder / name).is_file()]
    body = [f"<h1>{escape(title)}</h1>", _lead(info, manifest, files)]
    if "summary.json" in data:
        body += [_comparison(data["summary.json"]), _breakdowns(data["summary.json"])]
    if "ablation.json" in data:
        body.append(_ablation(data["ablation.json"]))
    if "staffing.json" in data:
        body.append(_staffing(data["staffing.json"]))
    if "sensitivity.json" in data:
        body.append(_generic("Sensitivity", data["sensitivity.json"]))
    if (folder / "sweep_summary.csv").is_file():
        body.append(_sweep(folder / "sweep_summary.csv", manifest))
    body += [_figures_section(folder, data), _scenario_file(folder, manifest, info),
             _manifest(manifest)]
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n"
            f"<script>{_SCRIPT}</script>\n</head>\n<body>\n"
            + "\n".join(b for b in body if b) + "\n</body>\n</html>\n")


def _scenario_name(manifest: dict[str, Any]) -> str:
    """The scenario's name in the scenario text the manifest keeps, or ``""``."""
    import tomllib

    try:
        return str(tomllib.loads(manifest.get("scenario_text", ""))["scenario"]["name"])
    except (tomllib.TOMLDecodeError, KeyError, TypeError):
        return ""


def _lead(info: dict[str, Any], manifest: dict[str, Any], files: list[str]) -> str:
    """What was run: description, file, seed, replications, designs, when, what is inside."""
    parts = []
    if info.get("description"):
        parts.append(f"<p>{escape(str(info['description']))}</p>")
    facts = [("scenario file", info.get("file") or manifest.get("scenario_file")),
             ("seed", info.get("seed", manifest.get("seed"))),
             ("replications", info.get("replications", manifest.get("replications"))),
             ("designs (the first is the baseline)",
              ", ".join(manifest.get("designs") or info.get("designs") or [])),
             ("created", manifest.get("created")),
             ("results", ", ".join(f"{f} ({RESULT_FILES[f]})" for f in files))]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                   for k, v in facts if v not in (None, ""))
    return "\n".join(parts) + f"<table>{rows}</table>"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _num(x: Any, unit: str, signed: bool = False) -> str:
    """One number in its unit: shares as percentages (differences in points)."""
    if _missing(x):
        return "–"
    from .metrics.stats import format_number

    x = float(x)
    if unit.startswith("share of "):
        return f"{100 * x:{'+' if signed else ''}.1f}" + (" pp" if signed else "%")
    return format_number(x, 3, signed)


def _estimate(est: dict[str, Any] | None, unit: str, signed: bool = False) -> str:
    """``mean [low, high]``, or the mean alone where there is no interval (plain text)."""
    if not est or _missing(est.get("mean")):
        return "–"
    text = _num(est["mean"], unit, signed)
    if not _missing(est.get("ci_low")) and not _missing(est.get("ci_high")):
        text += f" [{_num(est['ci_low'], unit, signed)}, {_num(est['ci_high'], unit, signed)}]"
    return text


def _cell(est: dict[str, Any] | None, unit: str, signed: bool = False, css: str = "") -> str:
    """A table cell of an estimate: the mean, and its interval below it."""
    text = _estimate(est, unit, signed)
    mean, _, interval = text.partition(" [")
    below = f"<br><small>[{escape(interval)}</small>" if interval else ""
    extra = ""
    if est and not _missing(est.get("relative")):
        extra = f"<br><small>({100 * est['relative']:+.0f}%)</small>"
    return f'<td class="{f"n {css}".strip()}">{escape(mean)}{below}{extra}</td>'


def _label(outcome: str, unit: str | None = None) -> str:
    """The catalogue's label of *outcome* with its unit, escaped."""
    entry = CATALOGUE.get(outcome)
    name = entry.label if entry else outcome
    unit = unit if unit is not None else unit_of(outcome)
    shown = "%" if unit.startswith("share of ") else unit
    title = f' title="{escape(entry.definition)}"' if entry else ""
    return (f"<span{title}>{escape(name)}</span><br><small><code>{escape(outcome)}</code>"
            + (f" ({escape(shown)})" if shown else "") + "</small>")


def _verdict(outcome: str, est: dict[str, Any]) -> str:
    """CSS class of a difference: better or worse when its interval excludes 0."""
    low, high = est.get("ci_low"), est.get("ci_high")
    better = CATALOGUE[outcome].better if outcome in CATALOGUE else None
    if low is None or high is None or _missing(low) or _missing(high) or better is None \
            or low <= 0 <= high:
        return ""
    up = low > 0
    return "better" if up == (better == "higher") else "worse"


def _table(header: list[str], rows: list[list[str]]) -> str:
    """An HTML table; cells are HTML already, the first column is a row header."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr><th>" + r[0] + "</th>" + "".join(r[1:]) + "</tr>" for r in rows)
    return (f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            "</table></div>")


def _outcome_rows(summary: dict[str, Any], outcomes: list[str]) -> list[list[str]]:
    designs, diffs, units = summary["designs"], summary["differences"], summary["units"]
    rows = []
    for o in outcomes:
        cells = [designs[d]["outcomes"].get(o) for d in designs]
        if all(not c or _missing(c.get("mean")) for c in cells):
            continue
        unit = units.get(o, "")
        row = [_label(o, unit), *(_cell(c, unit) for c in cells)]
        for d in diffs.values():
            est = d["outcomes"].get(o) or {}
            row.append(_cell(est, unit, signed=True, css=_verdict(o, est)))
        rows.append(row)
    return rows


def _comparison(summary: dict[str, Any]) -> str:
    """Headline outcomes per design and the paired differences, then every outcome."""
    header = ["outcome", *(escape(d) for d in summary["designs"])]
    header += [f"{escape(d)} − {escape(v['baseline'])}" for d, v in
               summary["differences"].items()]
    n = summary["scenario"].get("replications", "?")
    headline = [o for o in HEADLINE if o in summary["units"]]
    return (f"<h2>Comparison</h2><p>Mean [95% confidence interval] over {escape(str(n))} "
            "replications per design, on common random numbers; the last columns are the "
            "paired differences against the baseline (percentage points for shares), with "
            "the relative change in parentheses. Green: better, red: worse, where the "
            "interval excludes 0. Hover over an outcome for its definition.</p>"
            + _table(header, _outcome_rows(summary, headline))
            + "<details><summary>Every outcome</summary>"
            + _table(header, _outcome_rows(summary, list(summary["units"]))) + "</details>")


def _breakdowns(summary: dict[str, Any]) -> str:
    """The headline outcomes per key of each breakdown dimension, one table each."""
    tree = summary.get("breakdown") or {}
    designs = list(tree)
    dims = list(dict.fromkeys(dim for d in designs for dim in tree[d]))
    if not dims:
        return ""
    parts = ["<h2>Breakdowns</h2><p>Headline outcomes per pool, channel, segment, intent "
             "and hour of arrival: mean [95% CI] per design.</p>"]
    for i, dim in enumerate(dims):
        keys = sorted({k for d in designs for k in tree[d].get(dim, {})})
        rows = []
        for key in keys:
            for o in HEADLINE:
                cells = [tree[d].get(dim, {}).get(key, {}).get(o) for d in designs]
                if all(not c or _missing(c.get("mean")) for c in cells):
                    continue
                rows.append([f"{escape(key)}</th><th>{_label(o)}",
                             *(_cell(c, unit_of(o)) for c in cells)])
        header = [escape(dim), "outcome", *(escape(d) for d in designs)]
        parts.append(f"<details{' open' if i == 0 else ''}><summary>By {escape(dim)}"
                     f"</summary>{_table(header, rows)}</details>")
    return "\n".join(parts)


def _ablation(data: dict[str, Any]) -> str:
    """Each capability's effect, switched on alone and off alone, and the total."""
    base, full, units = data.get("from", "?"), data.get("to", "?"), data.get("units", {})
    rows = []
    for cap, entry in data.get("capabilities", {}).items():
        if not entry.get("differs"):
            continue
        for o, unit in units.items():
            on, off = entry.get("on", {}).get(o, {}), entry.get("off", {}).get(o, {})
            rows.append([f"{escape(cap)}</th><th>{_label(o, unit)}",
                         _cell(on, unit, True, _verdict(o, on)),
                         _cell(off, unit, True, _verdict(o, off))])
    for o, unit in units.items():
        est = data.get("total", {}).get(o, {})
        rows.append([f"all</th><th>{_label(o, unit)}", _cell(est, unit, True, _verdict(o, est)),
                     "<td></td>"])
    same = [c for c, e in data.get("capabilities", {}).items() if not e.get("differs")]
    header = ["capability", "outcome", f"on in {escape(base)}", f"off in {escape(full)}"]
    return (f"<h2>Ablation: from {escape(base)} to {escape(full)}</h2><p>Effect [95% CI] of "
            f"each capability, paired over {escape(str(data.get('replications', '?')))} "
            f"replications. On: ({escape(base)} + capability) − {escape(base)}; off: "
            f"{escape(full)} − ({escape(full)} − capability); all: {escape(full)} − "
            f"{escape(base)}.</p>" + _table(header, rows)
            + (f"<p class=\"note\">The same in both designs, not ablated: "
               f"{escape(', '.join(same))}.</p>" if same else ""))


def _staffing(data: dict[str, Any]) -> str:
    """The smallest headcount per design that meets the target, and one agent fewer."""
    target = data.get("target", {})
    outcome = str(target.get("outcome", ""))
    unit = unit_of(outcome)
    rows = []
    for design, d in data.get("designs", {}).items():
        agents = d.get("agents")
        needed = str(agents) if agents is not None else f"not met at {data.get('max_agents')}"
        delta = d.get("delta_agents")
        rows.append([escape(design), f'<td class="n">{escape(needed)}</td>',
                     _cell(d.get("at"), unit), _cell(d.get("one_fewer"), unit),
                     f'<td class="n">{"–" if delta is None else f"{delta:+d}"}</td>'])
    level = data.get("confidence")
    header = ["design", "agents needed", f"{escape(outcome)} there", "at one agent fewer",
              f"Δ agents vs {escape(str(data.get('baseline', '')))}"]
    return (f"<h2>Staffing: pool {escape(str(data.get('pool', '')))}</h2><p>The smallest "
            f"headcount whose whole {escape(f'{level:.0%}' if level else '')} interval meets "
            f"<code>{escape(str(target.get('text', '')))}</code>, per design.</p>"
            + _table(header, rows))


def _sweep(path: Path, manifest: dict[str, Any]) -> str:
    """The headline outcomes of a sweep per point and design, mean [95% interval]."""
    import csv

    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0]) if rows else []
    params = manifest.get("parameters") or (header[:header.index("design")] if rows else [])
    shown = [o for o in HEADLINE if any(r["outcome"] == o and r["mean"] for r in rows)]
    cells: dict[tuple[str, ...], dict[str, dict[str, Any]]] = {}
    for r in rows:
        est = {k: float(r[k]) if r[k] else None for k in ("mean", "ci_low", "ci_high")}
        cells.setdefault((*(r[p] for p in params), r["design"]), {})[r["outcome"]] = est
    table = _table([*(f"<code>{escape(p)}</code>" for p in params), "design",
                    *(_label(o) for o in shown)],
                   [[escape(key[0]), *(f"<td>{escape(k)}</td>" for k in key[1:]),
                     *(_cell(by.get(o), unit_of(o)) for o in shown)]
                    for key, by in cells.items()])
    return (f"<h2>Sweep</h2><p>Mean [95% confidence interval] of the headline outcomes at "
            f"each point of the grid, per design; every outcome is in "
            f"<code>sweep_summary.csv</code>.</p>{table}")


def _generic(title: str, data: Any) -> str:
    """A JSON result this report has no special layout for, as nested tables."""
    return f"<h2>{escape(title)}</h2>{_json_html(data)}"


def _json_html(value: Any, depth: int = 0) -> str:
    if isinstance(value, dict):
        if depth >= 4:
            return f"<pre>{escape(json.dumps(value, indent=1))}</pre>"
        lines = "".join(f"<tr><th>{escape(str(k))}</th><td>{_json_html(v, depth + 1)}</td></tr>"
                        for k, v in value.items())
        return f"<table>{lines}</table>"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        rows = [[escape(str(v.get(keys[0], "")))]
                + [f"<td>{_json_html(v.get(k), depth + 1)}</td>" for k in keys[1:]]
                for v in value]
        return _table([escape(str(k)) for k in keys], rows)
    if isinstance(value, float):
        return escape(_num(value, ""))
    return escape("–" if value is None else str(value))


def _scenario_file(folder: Path, manifest: dict[str, Any], info: dict[str, Any]) -> str:
    """The scenario file the manifest names, its text embedded, checked against its hash."""
    name = manifest.get("scenario_file") or info.get("file")
    if not name:
        return ""
    sha = manifest.get("scenario_sha256") or info.get("sha256")
    candidates = [Path(name), folder / name, *(p / name for p in folder.resolve().parents)]
    head = f"<h2>Scenario file <code>{escape(str(name))}</code></h2>"
    kept = manifest.get("scenario_text")
    if isinstance(kept, str):  # the run kept the text itself
        same = sha is None or hashlib.sha256(kept.encode("utf-8")).hexdigest() == sha
        note = ("as the run read it, kept in manifest.json (SHA-256 checked)" if same else
                "as kept in manifest.json (<strong>its SHA-256 differs from the run's</strong>)")
        return head + f'<p class="note">{note}</p><pre>{escape(kept)}</pre>'
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return head + (f"<p class=\"note\">Not found from here; the run's SHA-256 was "
                       f"<code>{escape(str(sha))}</code>.</p>")
    same = sha is None or file_hash(path) == sha
    note = ("the same file as the run's (SHA-256 checked)" if same else
            "<strong>this file has changed since the run</strong> (its SHA-256 differs "
            "from the manifest's)")
    text = path.read_text(encoding="utf-8", errors="replace")
    return head + f'<p class="note">{note}</p><pre>{escape(text)}</pre>'


def _manifest(manifest: dict[str, Any]) -> str:
    """manifest.json as a table: versions on one line, the command as a shell line."""
    if not manifest:
        return ""
    rows = []
    for key, value in manifest.items():
        if key == "scenario_text":  # shown whole in the scenario file's section
            continue
        if key == "command" and isinstance(value, list):
            text = shlex.join(str(v) for v in value)
        elif key == "versions" and isinstance(value, dict):
            text = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, dict | list):
            text = json.dumps(value)
        else:
            text = str(value)
        rows.append(f"<tr><th>{escape(key)}</th><td><code>{escape(text)}</code></td></tr>")
    return f"<h2>Manifest</h2><table>{''.join(rows)}</table>"


def _inline_svg(text: str, prefix: str) -> str:
    """An SVG file's text ready to inline: no XML prologue, ids made unique by *prefix*."""
    start = text.find("<svg")
    if start < 0:
        raise SimError("not an SVG file (no <svg> element)")
    svg = text[start:]
    ids = set(re.findall(r'\bid="([^"]+)"', svg))

    def ref(m: re.Match[str]) -> str:
        name = m[2]
        return f"{m[1]}{prefix}-{name}{m[3]}" if name in ids else m[0]

    svg = re.sub(r'(\bid=")([^"]+)(")', ref, svg)
    svg = re.sub(r"(url\(#)([^)]+)(\))", ref, svg)
    return re.sub(r'(href="#)([^"]+)(")', ref, svg)


def _svg_of(fig: Any) -> str:
    """A matplotlib figure as SVG text, in the figures' style."""
    from .plots.style import style

    buffer = io.StringIO()
    with style():
        fig.savefig(buffer, format="svg", metadata={"Creator": "omnisim (matplotlib)",
                                                    "Date": None})
    fig.clear()
    return buffer.getvalue()


def _drawn(folder: Path, data: dict[str, Any]) -> tuple[list[tuple[str, str]], list[str]]:
    """Figures drawn now with sim.plots for a folder that has none; notes on what failed."""
    from .plots import FIGURES, load_results
    from .plots.ablation import tornado_figure

    figures: list[tuple[str, str]] = []
    notes: list[str] = []
    if "summary.json" in data and not list(folder.glob("figures/*.svg")):
        try:
            results = load_results(folder)
        except SimError as e:
            notes.append(f"The run's figures cannot be drawn: {e}")
        else:
            for name, make in FIGURES.items():
                if name == "differences" and not results.summary["differences"]:
                    continue
                figures.append((name, _svg_of(make(results))))
    if "ablation.json" in data and not (folder / "ablation.svg").is_file():
        name = data["ablation.json"].get("scenario", {}).get("name", "")
        figures.append(("ablation", _svg_of(tornado_figure(data["ablation.json"], title=name))))
    return figures, notes


def _figures_section(folder: Path, data: dict[str, Any]) -> str:
    """Every figure: the folder's SVG files, those drawn now, and PNGs without an SVG."""
    svgs = sorted(folder.glob("figures/*.svg")) + sorted(folder.glob("*.svg"))
    figures = [(p.relative_to(folder).with_suffix("").as_posix(), p.read_text("utf-8"))
               for p in svgs]
    drawn, notes = _drawn(folder, data)
    figures += drawn
    items = [_inline_svg(svg, f"f{i}") for i, (_, svg) in enumerate(figures)]
    names = [name for name, _ in figures]
    pngs = [p for p in sorted(folder.glob("*.png")) + sorted(folder.glob("figures/*.png"))
            if not p.with_suffix(".svg").is_file() and not (drawn and p.parent.name == "figures")]
    for p in pngs:
        encoded = base64.b64encode(p.read_bytes()).decode("ascii")
        items.append(f'<img alt="{escape(p.stem)}" src="data:image/png;base64,{encoded}">')
        names.append(p.relative_to(folder).with_suffix("").as_posix())
    if not items and not notes:
        return ""
    parts = ["<h2>Figures</h2>", *(f'<p class="note">{escape(n)}</p>' for n in notes)]
    parts += [f'<figure class="plot" id="figure-{i + 1}">{item}<figcaption>'
              f"{escape(CAPTIONS.get(Path(name).name, ''))} (<code>{escape(name)}</code>)"
              "</figcaption></figure>" for i, (name, item) in enumerate(zip(names, items,
                                                                            strict=True))]
    return "\n".join(parts)
