// Attention maps as one SVG: a panel per layer and head, each a square of cells shaded by
// how much the row's position attends to the column's, with the tokens along the edges
// when they fit.
import { escapeXml, svgOpen } from "./svg-chart.js";

export interface AttentionSvgOptions {
  title: string;
  /** The text of each position, for the labels. */
  tokens: readonly string[];
  /** The panels: each a row-major [length, length] map with rows summing to 1. */
  panels: readonly { readonly label: string; readonly map: ArrayLike<number> }[];
  /** Panels per row of the grid (default: all in one row up to 4). */
  columns?: number;
}

/** A token as a short label: whitespace made visible, long ones cut. */
function tokenLabel(token: string): string {
  const shown = token.replace(/\n/g, "↵").replace(/ /g, "·").replace(/\t/g, "→");
  return shown.length > 8 ? `${shown.slice(0, 7)}…` : shown;
}

export function renderAttentionSvg(options: AttentionSvgOptions): string {
  const { tokens, panels } = options;
  const n = tokens.length;
  if (n === 0 || panels.length === 0) throw new Error(`${options.title}: nothing to draw`);
  for (const p of panels) {
    if (p.map.length !== n * n)
      throw new Error(`${p.label}: a map of ${p.map.length} values for ${n} tokens`);
  }
  const labelled = n <= 48;
  const cell = Math.max(4, Math.min(22, Math.floor(360 / n)));
  const edge = labelled ? 64 : 12;
  const side = cell * n;
  const columns = Math.max(1, Math.min(options.columns ?? Math.min(panels.length, 4), panels.length));
  const panelWidth = edge + side + 24;
  const panelHeight = 24 + edge + side + 16;
  const width = columns * panelWidth + 16;
  const height = 40 + Math.ceil(panels.length / columns) * panelHeight;
  const lines = svgOpen(width, height, options.title);
  panels.forEach((panel, index) => {
    const x0 = 16 + (index % columns) * panelWidth + edge;
    const y0 = 40 + Math.floor(index / columns) * panelHeight + 24 + edge;
    lines.push(
      `<text x="${x0 + side / 2}" y="${y0 - edge - 8}" text-anchor="middle">${escapeXml(panel.label)}</text>`,
    );
    for (let q = 0; q < n; q++) {
      for (let k = 0; k <= q; k++) {
        const w = Math.min(1, Math.max(0, panel.map[q * n + k]!));
        const light = Math.round(255 - 230 * Math.sqrt(w));
        lines.push(
          `<rect x="${x0 + k * cell}" y="${y0 + q * cell}" width="${cell}" height="${cell}" fill="rgb(${light},${light},255)"><title>${escapeXml(`${tokens[q]} → ${tokens[k]}: ${w.toFixed(3)}`)}</title></rect>`,
        );
      }
    }
    lines.push(`<rect x="${x0}" y="${y0}" width="${side}" height="${side}" fill="none" stroke="#999"/>`);
    if (labelled) {
      const size = Math.min(11, cell);
      tokens.forEach((token, i) => {
        const label = escapeXml(tokenLabel(token));
        const middle = i * cell + cell / 2 + size / 3;
        lines.push(
          `<text x="${x0 - 4}" y="${y0 + middle}" text-anchor="end" font-size="${size}">${label}</text>`,
          `<text transform="translate(${x0 + middle} ${y0 - 4}) rotate(-90)" font-size="${size}">${label}</text>`,
        );
      });
    }
  });
  lines.push("</svg>");
  return `${lines.join("\n")}\n`;
}
