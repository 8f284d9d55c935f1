/**
 * One hand-written SVG bar chart per scenario (no dependency): a group per case, a horizontal
 * bar per contender scaled to the group's largest value, a whisker for the min–max of its runs,
 * the median and the ratio to the baseline as text. Skipped and failed rows say so in place.
 * @module
 */
import { FAMILY } from './contenders.mjs';
import { formatValue, ratio } from './format.mjs';

const W = 820;
const LABEL_W = 230;
const BAR_W = 400;
const ROW_H = 20;
const GAP = 14;

const x = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SVG text of a scenario's chart. */
export function chart(s) {
  const parts = [];
  let y = 62;
  for (const c of s.cases) {
    parts.push(`<text x="8" y="${y}" class="case">${x(c.label)}</text>`);
    y += 8;
    const max = Math.max(...c.rows.filter((r) => Number.isFinite(r.max)).map((r) => r.max), 0) || 1;
    for (const r of c.rows) {
      const color = FAMILY[r.family]?.color ?? '#868e96';
      const ty = y + ROW_H * 0.68;
      parts.push(`<text x="${LABEL_W - 8}" y="${ty}" class="label" text-anchor="end">${x(r.label)}</text>`);
      if (Number.isFinite(r.median)) {
        const w = Math.max(1, (Math.max(0, r.median) / max) * BAR_W);
        parts.push(
          `<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${color}"${r.id === s.baseline ? ' stroke="#212529" stroke-width="1.5"' : ''}/>`,
        );
        if (r.runs.length > 1) {
          const x0 = LABEL_W + (r.min / max) * BAR_W;
          const x1 = LABEL_W + (r.max / max) * BAR_W;
          parts.push(
            `<path d="M${x0.toFixed(1)} ${y + ROW_H / 2}H${x1.toFixed(1)}M${x0.toFixed(1)} ${y + 6}V${y + ROW_H - 6}M${x1.toFixed(1)} ${y + 6}V${y + ROW_H - 6}" class="whisker"/>`,
          );
        }
        const text = `${formatValue(r.median, s.unit)}${Number.isFinite(r.ratio) ? ` · ${ratio(r.ratio)}` : ''}${r.status === 'partial' ? ' · partial' : ''}`;
        parts.push(`<text x="${LABEL_W + Math.max(w, (r.max / max) * BAR_W) + 6}" y="${ty}" class="value">${x(text)}</text>`);
      } else {
        const why = r.reason && r.reason.length > 70 ? r.reason.slice(0, 67) + '...' : r.reason;
        parts.push(`<text x="${LABEL_W + 4}" y="${ty}" class="skip">${x(`${r.status}: ${why}`)}</text>`);
      }
      y += ROW_H;
    }
    y += GAP;
  }
  const h = y + 8;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">
<style>
.title{font-size:15px;font-weight:600;fill:#212529}.sub{font-size:11px;fill:#495057}.case{font-size:12px;font-weight:600;fill:#343a40}
.label{font-size:12px;fill:#343a40}.value{font-size:11px;fill:#212529}.skip{font-size:11px;fill:#868e96;font-style:italic}
.whisker{stroke:#212529;stroke-width:1;fill:none}
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="8" y="20" class="title">${x(s.title)}</text>
<text x="8" y="36" class="sub">${x(`${s.unit}, ${s.higher ? 'higher' : 'lower'} is better · median of runs, whisker = min–max · ratio vs the outlined baseline, paired by repetition`)}</text>
${parts.join('\n')}
</svg>
`;
}
