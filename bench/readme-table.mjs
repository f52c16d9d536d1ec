// Prints one Markdown table from several bench/results.json files (e.g. one per Node version), side by
// side, for the README's Performance section: node bench/readme-table.mjs A.json B.json …
import { readFileSync } from "node:fs";

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8")));
if (runs.length === 0) throw new Error("usage: node bench/readme-table.mjs RESULTS.json…");
const verdict = (p) => (p === null ? "" : p ? " ✓" : " ✗");
const cell = (r) => {
  if (!r) return "";
  const floor = r.floor && !/node -e 0|^$/.test(r.floor) ? ` / ${r.floor}` : "";
  return `${r.value}${floor}${r.ratio ? ` = ${r.ratio}` : ""}${verdict(r.pass)}`;
};
const whats = [...new Set(runs.flatMap((r) => r.rows.map((x) => x.what)))];
const head = runs.map(
  (r) => `Node ${r.node.version}${r.node.compileCache ? " (compile cache)" : ""}, ${r.runs} runs`,
);
const lines = [
  `| what | ${head.join(" | ")} | target |`,
  `|---|${head.map(() => "---").join("|")}|---|`,
  ...whats.map((w) => {
    const cells = runs.map((r) => cell(r.rows.find((x) => x.what === w)));
    const targets = runs.map((r) => r.rows.find((x) => x.what === w)?.target).filter((t) => t && t !== "-");
    const target = [...new Set(targets)].join(" / ");
    return `| ${w.replaceAll("|", "\\|")} | ${cells.join(" | ")} | ${target} |`;
  }),
];
const m = runs[0].machine;
process.stdout.write(
  `Measured ${runs[0].date.slice(0, 10)} on ${m.platform}, ${m.cpus} × ${m.model}.\n\n${lines.join("\n")}\n`,
);
