// `npm run bench`: builds, starts the emulator in this process, and measures miauth as a user runs it
// (`node bin/miauth.js …` in a child process) against the wire floor of each command (bench/floor.mjs:
// the same HTTPS requests with node:https and nothing else). Prints a table of medians over --runs runs
// after one warm-up (none with --quick), every ratio from the same run, and writes bench/results.json. Every spawned process
// has the network guard preloaded; anything it blocked fails the bench. See README "Performance".
//
//   node scripts/bench.mjs [--runs N] [--node PATH] [--quick] [--full] [--skip-build] [--out FILE]
//                          [--only startup,commands,sdk,latency,rss,bulk,lro,wait,install]
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import {
  BIN,
  childEnv,
  cleanup,
  emulatorClient,
  FLOOR,
  GUARD_LOG,
  guardBlocked,
  median,
  READER,
  RG,
  ROOT,
  scratchFile,
  timed,
} from "../bench/lib.mjs";

const { values: opt } = parseArgs({
  options: {
    runs: { type: "string" },
    node: { type: "string" },
    quick: { type: "boolean", default: false },
    full: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    out: { type: "string", default: join(ROOT, "bench/results.json") },
    only: { type: "string" },
  },
});
const PARTS = ["startup", "commands", "sdk", "latency", "rss", "bulk", "lro", "wait", "install"];
const only = opt.only?.split(",") ?? PARTS;
for (const p of only) if (!PARTS.includes(p)) throw new Error(`--only: expected some of ${PARTS.join(",")}`);
/** Whether this part of the bench runs (--only PART,…: while working on one part). */
const part = (name) => only.includes(name);
const runs = Number(opt.runs ?? (opt.quick ? 1 : 7));
/** Runs before the measured ones, whose timings are dropped (none in --quick: a smoke run). */
const warmups = opt.quick ? 0 : 1;
const runLabel = (i) => (i < warmups ? "warm-up" : `run ${i - warmups + 1}/${runs}`);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: expected a whole number >= 1");
const node = opt.node ?? process.execPath;
const nodeVersion = spawnSync(node, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
if (!nodeVersion) throw new Error(`--node ${node}: does not run`);
const nodeMajor = Number(nodeVersion.split(".")[0]);
const compileCache = /enableCompileCache/.test(readFileSync(BIN, "utf8")) && nodeMajor >= 22;
const commandTarget = nodeMajor >= 22 ? 2.0 : 2.5;
const log = (line) => process.stderr.write(`${line}\n`);

if (!opt["skip-build"]) {
  log("bench: npm run build");
  const b = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (b.status !== 0) throw new Error("npm run build failed");
}
const { startEmulator } = await import("../dist/emulator/index.js");

/** Rows of the printed table: what, value (with its unit), floor, ratio, target, pass. */
const rows = [];
const results = {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "",
    platform: `${process.platform}-${process.arch}`,
  },
  node: { version: nodeVersion, path: node, compileCache },
  runs,
  quick: opt.quick,
  warmups,
  startup: [],
  commands: [],
  counts: [],
  waits: {},
  bulk: null,
  rss: { method: "", commands: [] },
  install: null,
  sdk: [],
  rows,
  blocked: [],
};

function row(what, value, floor, ratio, target, pass) {
  rows.push({ what, value, floor, ratio, target, pass });
}
const fmtMs = (ms) => (ms === null ? "-" : `${Math.round(ms)} ms`);
const fmtRatio = (r) => (r === null ? "-" : `${r.toFixed(2)}x`);
const ratioOf = (a, b) => (a === null || b === null || b === 0 ? null : a / b);

const cli = (args, env) => timed(node, [BIN, ...args], childEnv(env));
function mustPass(r, what) {
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}\n${r.stderr}`);
  return r;
}

// ---------------------------------------------------------------------------------------------------
// The commands measured end to end, each with its set-up (not timed) and what its floor must send that
// the request log does not record (query strings, bodies).
const ROLE_NAME = "Storage Blob Data Reader";
const COMMANDS = [
  { name: "enable --webapp", args: ["enable", "--webapp", "msdocs-web", "-g", RG] },
  { name: "enable --vm", args: ["enable", "--vm", "msdocs-vm", "-g", RG] },
  { name: "roles list", args: ["roles", "list"] },
  {
    name: `roles list --name "${ROLE_NAME}"`,
    args: ["roles", "list", "--name", ROLE_NAME],
    roleName: ROLE_NAME,
  },
  {
    name: "assign-role",
    args: ["assign-role", "--webapp", "msdocs-web", "-g", RG, "--role", ROLE_NAME],
    setup: async (c) => ({ principalId: await c.enableSite() }),
  },
  {
    name: "verify (data plane)",
    args: ["verify"],
    asApp: true,
    setup: async (c) => {
      const principalId = await c.enableSite();
      await c.assignReader(principalId);
      return { principalId };
    },
  },
  {
    name: "verify (control plane)",
    args: ["verify", "--webapp", "msdocs-web", "-g", RG, "--account", "msdocsstorage"],
    setup: async (c) => {
      const principalId = await c.enableSite();
      await c.assignReader(principalId);
      return { principalId };
    },
  },
];

/** The floor's request list from miauth's request log: the same requests, with query and body. */
function floorRequests(entries, cmd, ctx, sub) {
  return entries.map((e) => {
    const r = { kind: e.kind, method: e.method, path: e.path, apiVersion: e.apiVersion, status: e.status };
    if (e.method === "PATCH") r.body = { identity: { type: "SystemAssigned" } };
    if (e.method === "PUT" && /\/roleAssignments\/[^/]+$/i.test(e.path))
      r.body = {
        properties: {
          roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
          principalId: ctx.principalId,
          principalType: "ServicePrincipal",
        },
      };
    if (e.method === "GET" && /\/roleDefinitions$/i.test(e.path) && cmd.roleName)
      r.query = `$filter=${encodeURIComponent(`roleName eq '${cmd.roleName}'`)}`;
    if (e.method === "GET" && /\/roleAssignments$/i.test(e.path) && ctx.principalId)
      r.query = `$filter=${encodeURIComponent(`principalId eq '${ctx.principalId}'`)}`;
    if (e.kind === "blob" && e.method === "GET")
      r.query = /^\/[^/]+\/?$/.test(e.path) ? "comp=list" : "restype=container&comp=list";
    return r;
  });
}

function countsOf(entries) {
  const n = (k) => entries.filter((e) => e.kind === k).length;
  return {
    arm: n("arm"),
    token: n("identity"),
    blob: n("blob"),
    requests: entries.map((e) => `${e.kind} ${e.method} ${e.path}`),
  };
}

/** One first run and one re-run of cmd, then the floor of each, all against fresh state. */
async function measureCommand(emulator, c, cmd, latencyMs) {
  const envOf = () => (cmd.asApp ? emulator.envFor(c.ids.site) : emulator.operatorEnv);
  const prepare = async () => {
    await c.reset();
    const ctx = cmd.setup ? await cmd.setup(c) : {};
    await c.latency(latencyMs);
    await c.clearLog();
    return ctx;
  };
  await prepare();
  const first = mustPass(await cli(cmd.args, envOf()), cmd.name);
  const firstLog = await c.log();
  await c.clearLog();
  const again = mustPass(await cli(cmd.args, envOf()), `${cmd.name} (re-run)`);
  const againLog = await c.log();

  const ctx = await prepare();
  const sub = emulator.subscriptionId;
  const floorFirst = scratchFile("floor-first.json", JSON.stringify(floorRequests(firstLog, cmd, ctx, sub)));
  const ff = mustPass(await timed(node, [FLOOR, floorFirst], childEnv(envOf())), `floor of ${cmd.name}`);
  const floorFirstLog = await c.log();
  await c.clearLog();
  const floorAgain = scratchFile("floor-again.json", JSON.stringify(floorRequests(againLog, cmd, ctx, sub)));
  const fa = mustPass(
    await timed(node, [FLOOR, floorAgain], childEnv(envOf())),
    `floor of ${cmd.name} (re-run)`,
  );
  const floorAgainLog = await c.log();
  for (const [mine, floor, phase] of [
    [firstLog, floorFirstLog, "first"],
    [againLog, floorAgainLog, "re-run"],
  ]) {
    if (mine.length !== floor.length)
      throw new Error(`floor of ${cmd.name} (${phase}) sent ${floor.length} requests, miauth ${mine.length}`);
  }
  return {
    first: { ms: first.ms, floorMs: ff.ms, log: firstLog },
    again: { ms: again.ms, floorMs: fa.ms, log: againLog },
  };
}

async function commandTable(emulator, c, latencyMs, commands = COMMANDS) {
  const samples = new Map(commands.map((cmd) => [cmd.name, { first: [], again: [] }]));
  for (let i = 0; i < warmups + runs; i++) {
    log(`bench: commands${latencyMs ? ` +${latencyMs} ms` : ""}, ${runLabel(i)}`);
    for (const cmd of commands) {
      const m = await measureCommand(emulator, c, cmd, latencyMs);
      // The request counts come from the first run, warm-up or not.
      if (i === 0 && latencyMs === 0)
        for (const phase of ["first", "again"])
          results.counts.push({
            command: cmd.name,
            phase: phase === "first" ? "first" : "re-run",
            ...countsOf(m[phase].log),
          });
      if (i < warmups) continue;
      const s = samples.get(cmd.name);
      s.first.push(m.first);
      s.again.push(m.again);
    }
  }
  for (const cmd of commands) {
    for (const phase of ["first", "again"]) {
      const s = samples.get(cmd.name)[phase];
      const ms = median(s.map((x) => x.ms));
      const floorMs = median(s.map((x) => x.floorMs));
      const ratio = ratioOf(ms, floorMs);
      const label = `${cmd.name}${phase === "first" ? "" : " (re-run)"}${latencyMs ? ` +${latencyMs} ms` : ""}`;
      const pass = ratio !== null && ratio <= commandTarget;
      results.commands.push({
        name: cmd.name,
        phase: phase === "first" ? "first" : "re-run",
        latencyMs,
        medianMs: ms,
        floorMs,
        ratio,
        target: commandTarget,
        pass,
        samples: s.map((x) => x.ms),
        floorSamples: s.map((x) => x.floorMs),
      });
      row(label, fmtMs(ms), fmtMs(floorMs), fmtRatio(ratio), `<= ${commandTarget}x`, pass);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The Azure SDKs alone (bench/sdk-floor.mjs, bundled as the CLI is): what the SDKs cost over the wire
// floor, and what miauth adds over them, for the smallest command and the one that loads the most.
const SDK_CASES = [
  { name: "enable --webapp (re-run)", cmd: COMMANDS[0], sdkArgs: ["site", RG, "msdocs-web"], rerun: true },
  {
    name: "verify (control plane)",
    cmd: COMMANDS.find((k) => k.name === "verify (control plane)"),
    sdkArgs: ["verify", RG, "msdocs-web", "msdocsstorage"],
  },
];

async function sdkFloorScript() {
  const { build } = await import("esbuild");
  const { bundleOptions } = await import("./bundle-options.mjs");
  const { startupPatches } = await import("./startup-patches.mjs");
  const run = scratchFile("sdk-floor/run.mjs", "");
  await build({
    ...bundleOptions(startupPatches().plugin),
    entryPoints: { "sdk-floor": join(ROOT, "bench/sdk-floor.mjs") },
    outdir: dirname(run),
    // Split as the CLI is: each package in the chunks its import() reaches.
    splitting: true,
  });
  // As bin/miauth.js starts: the compile cache on (Node >= 22.1), then the bundle.
  return scratchFile(
    "sdk-floor/run.mjs",
    'import module from "node:module";\nif (!process.env.NODE_DISABLE_COMPILE_CACHE) module.enableCompileCache?.();\nawait import("./sdk-floor.js");\n',
  );
}

async function sdkTable(emulator, c) {
  const script = await sdkFloorScript();
  const samples = new Map(SDK_CASES.map((k) => [k.name, []]));
  for (let i = 0; i < warmups + runs; i++) {
    log(`bench: the Azure SDKs alone, ${runLabel(i)}`);
    for (const k of SDK_CASES) {
      const env = emulator.operatorEnv;
      await c.reset();
      const ctx = k.cmd.setup ? await k.cmd.setup(c) : {};
      await c.latency(0);
      if (k.rerun) mustPass(await cli(k.cmd.args, env), k.cmd.name);
      await c.clearLog();
      const mine = mustPass(await cli(k.cmd.args, env), k.name);
      const mineLog = await c.log();
      await c.clearLog();
      const sdk = mustPass(
        await timed(node, [script, ...k.sdkArgs], childEnv(env)),
        `${k.name}: the SDKs alone`,
      );
      const sdkLog = await c.log();
      await c.clearLog();
      const floorFile = scratchFile(
        "floor-sdk.json",
        JSON.stringify(floorRequests(mineLog, k.cmd, ctx, emulator.subscriptionId)),
      );
      const floor = mustPass(await timed(node, [FLOOR, floorFile], childEnv(env)), `floor of ${k.name}`);
      const shape = (entries) =>
        entries
          .map((e) => `${e.kind} ${e.method}`)
          .sort()
          .join();
      if (shape(sdkLog) !== shape(mineLog))
        throw new Error(`${k.name}: the SDKs alone sent ${shape(sdkLog)}, miauth ${shape(mineLog)}`);
      if (i >= warmups) samples.get(k.name).push({ ms: mine.ms, sdkMs: sdk.ms, floorMs: floor.ms });
    }
  }
  results.sdk = [];
  for (const k of SDK_CASES) {
    const s = samples.get(k.name);
    const ms = median(s.map((x) => x.ms));
    const sdkMs = median(s.map((x) => x.sdkMs));
    const floorMs = median(s.map((x) => x.floorMs));
    results.sdk.push({
      name: k.name,
      medianMs: ms,
      sdkMs,
      floorMs,
      sdkRatio: ratioOf(sdkMs, floorMs),
      overSdk: ratioOf(ms, sdkMs),
      samples: s,
    });
    row(
      `${k.name}: the Azure SDKs alone`,
      fmtMs(sdkMs),
      fmtMs(floorMs),
      fmtRatio(ratioOf(sdkMs, floorMs)),
      "-",
      null,
    );
    row(
      `${k.name}: miauth over the SDKs alone`,
      fmtMs(ms),
      fmtMs(sdkMs),
      fmtRatio(ratioOf(ms, sdkMs)),
      "-",
      null,
    );
  }
}

async function startupTable() {
  const cases = [
    { name: "--version", args: [BIN, "--version"], target: 1.3 },
    { name: "--help", args: [BIN, "--help"], target: 1.3 },
    { name: "roles list --help", args: [BIN, "roles", "list", "--help"], target: null },
  ];
  const base = [];
  const got = new Map(cases.map((k) => [k.name, []]));
  for (let i = 0; i < warmups + runs; i++) {
    log(`bench: start-up, ${runLabel(i)}`);
    const b = mustPass(await timed(node, ["-e", "0"], childEnv({})), "node -e 0");
    if (i >= warmups) base.push(b.ms);
    for (const k of cases) {
      const r = mustPass(await timed(node, k.args, childEnv({})), k.name);
      if (i >= warmups) got.get(k.name).push(r.ms);
    }
  }
  const baseMs = median(base);
  results.startup.push({ name: "node -e 0", medianMs: baseMs, samples: base });
  row("node -e 0", fmtMs(baseMs), "", "", "", null);
  for (const k of cases) {
    const ms = median(got.get(k.name));
    const ratio = ratioOf(ms, baseMs);
    const pass = k.target === null ? null : ratio <= k.target;
    results.startup.push({
      name: k.name,
      medianMs: ms,
      baseMs,
      ratio,
      target: k.target,
      pass,
      samples: got.get(k.name),
    });
    row(
      k.name,
      fmtMs(ms),
      `${fmtMs(baseMs)} (node -e 0)`,
      fmtRatio(ratio),
      k.target ? `<= ${k.target}x` : "-",
      pass,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Waits: the VM LRO and verify --wait.

async function lroOverhead() {
  const lroDelayMs = 2000;
  const retryAfterSeconds = 1;
  const emulator = await startEmulator({ lroDelayMs, retryAfterSeconds, replicationDelayMs: 0, blob: false });
  const c = emulatorClient(emulator);
  const samples = [];
  try {
    for (let i = 0; i < Math.min(runs, 3); i++) {
      log(`bench: LRO overhead ${i + 1}`);
      await c.reset();
      const r = mustPass(
        await cli(["enable", "--vm", "msdocs-vm", "-g", RG], emulator.operatorEnv),
        "enable --vm (LRO)",
      );
      const entries = await c.log();
      const patch = entries.find((e) => e.method === "PATCH");
      if (!patch) throw new Error("enable --vm sent no PATCH");
      // Polls go out every Retry-After after the PATCH: the first one at or after the operation's end sees it.
      const step = retryAfterSeconds * 1000;
      const visibleAt = Date.parse(patch.time) + Math.ceil(lroDelayMs / step) * step;
      const polls = entries.filter((e) => /\/operations\//i.test(e.path)).length;
      samples.push({ overheadMs: r.endedAt - visibleAt, polls, requests: entries.length });
    }
  } finally {
    await emulator.close();
  }
  const ms = median(samples.map((s) => s.overheadMs));
  results.waits.lro = {
    lroDelayMs,
    retryAfterSeconds,
    overheadMs: ms,
    target: 300,
    pass: ms <= 300,
    samples,
  };
  row(
    `LRO overhead (${lroDelayMs} ms, Retry-After ${retryAfterSeconds})`,
    fmtMs(ms),
    "",
    "",
    "<= 300 ms",
    ms <= 300,
  );
}

async function waitDetection(dataPlaneDelayMs, count, targetMs) {
  const emulator = await startEmulator({ dataPlaneDelayMs, lroDelayMs: 0, replicationDelayMs: 0 });
  const c = emulatorClient(emulator);
  const samples = [];
  try {
    for (let i = 0; i < count; i++) {
      log(`bench: verify --wait, ${dataPlaneDelayMs} ms propagation, ${i + 1}/${count}`);
      await c.reset();
      const principalId = await c.enableSite();
      const env = emulator.envFor(c.ids.site);
      await c.clearLog();
      const running = cli(["verify", "--wait", "5m", "-o", "none"], env);
      // Assign once verify is already being denied, as in a pipeline that started it first.
      const deadline = Date.now() + 60_000;
      while (!(await c.log()).some((e) => e.kind === "blob" && e.status === 403)) {
        if (Date.now() > deadline) throw new Error("verify --wait was never denied");
        await new Promise((ok) => setTimeout(ok, 25));
      }
      const assignment = await c.assignReader(principalId);
      const r = mustPass(await running, "verify --wait");
      const entries = await c.log();
      const effectiveAt = assignment?.dataPlaneAt;
      if (typeof effectiveAt !== "number") throw new Error("the emulator's state shows no dataPlaneAt");
      const probes = entries.filter((e) => e.kind === "blob" && /^\/[^/]+\/?$/.test(e.path)).length;
      samples.push({ delayMs: r.endedAt - effectiveAt, probes, elapsedMs: r.ms });
    }
  } finally {
    await emulator.close();
  }
  const ms = median(samples.map((s) => s.delayMs));
  const key = `wait${dataPlaneDelayMs / 1000}s`;
  results.waits[key] = { dataPlaneDelayMs, delayMs: ms, target: targetMs, pass: ms <= targetMs, samples };
  const probesPerSecond = median(samples.map((s) => s.probes / (s.elapsedMs / 1000)));
  row(
    `verify --wait detection (${dataPlaneDelayMs / 1000} s propagation; ${probesPerSecond.toFixed(2)} probes/s)`,
    fmtMs(ms),
    "",
    "",
    `<= ${targetMs} ms`,
    ms <= targetMs,
  );
}

// ---------------------------------------------------------------------------------------------------
// Bulk: assign-role --assignees-file under 50 ms latency and 10% 429, vs --concurrency 1.

async function bulk(emulator, c) {
  const n = opt.quick ? 20 : 200;
  const ids = Array.from({ length: n }, () => crypto.randomUUID());
  const file = scratchFile("assignees.txt", `${ids.join("\n")}\n`);
  const args = ["assign-role", "--assignees-file", file, "--role", ROLE_NAME, "-g", RG, "-o", "none"];
  const assigned = async () => {
    const state = await c.control("GET", "state");
    return state.roleAssignments.filter((a) => ids.includes(a.principalId));
  };
  // The assignments' names (miauth derives them from scope, principal and role) from an untimed run, so
  // that every tenth assignment's PUT can be answered 429 exactly once, in either order of work.
  await c.reset();
  mustPass(await cli(args, emulator.operatorEnv), "assign-role bulk (names)");
  const names = (await assigned()).map((a) => a.name);
  const once = async (extra) => {
    await c.reset();
    // One fault per request, the first that matches: the 429s first, then latency on everything.
    for (const name of names.filter((_, i) => i % 10 === 0))
      await c.fault({
        match: { method: "PUT", path: `/roleAssignments/${name}` },
        fault: { type: "status", status: 429, retryAfter: 1 },
        count: 1,
      });
    await c.latency(50);
    const r = mustPass(
      await cli([...args, ...extra], emulator.operatorEnv),
      `assign-role bulk ${extra.join(" ")}`,
    );
    const mine = await assigned();
    const distinct = new Set(
      mine.map((a) => `${a.principalId} ${a.roleDefinitionId} ${a.scope}`.toLowerCase()),
    );
    if (mine.length !== n || distinct.size !== n)
      throw new Error(`bulk: ${mine.length} assignments (${distinct.size} distinct), expected ${n}`);
    const throttled = (await c.log()).filter((e) => e.status === 429).length;
    return { ms: r.ms, assignments: mine.length, throttled };
  };
  log(`bench: bulk, ${n} assignees`);
  const all = await once([]);
  log(`bench: bulk, ${n} assignees one at a time (--concurrency 1)`);
  const one = await once(["--concurrency", "1"]);
  const ratio = ratioOf(one.ms, all.ms);
  results.bulk = {
    assignees: n,
    latencyMs: 50,
    throttledShare: 0.1,
    bulk: all,
    oneAtATime: one,
    ratio,
    target: 10,
    pass: ratio >= 10,
  };
  row(
    `assign-role bulk, ${n} assignees (floor: --concurrency 1)`,
    fmtMs(all.ms),
    fmtMs(one.ms),
    fmtRatio(one.ms / all.ms),
    ">= 10x faster",
    ratio >= 10,
  );
}

// ---------------------------------------------------------------------------------------------------
// Peak RSS per command: /usr/bin/time -f %M when present, else the process's own maxRSS on exit.

async function peakRss(emulator, c) {
  const gnuTime = existsSync("/usr/bin/time");
  const probe = scratchFile(
    "rss-probe.mjs",
    'import { writeFileSync } from "node:fs"; process.on("exit", () => writeFileSync(process.env.MIAUTH_BENCH_RSS, String(process.resourceUsage().maxRSS)));\n',
  );
  results.rss.method = gnuTime ? "/usr/bin/time -f %M" : "process.resourceUsage().maxRSS at exit (preloaded)";
  const out = scratchFile("rss.txt", "");
  const measure = async (args, env) => {
    rmSync(out, { force: true });
    const e = childEnv({ ...env, MIAUTH_BENCH_RSS: out });
    const r = gnuTime
      ? await timed("/usr/bin/time", ["-f", "%M", "-o", out, node, ...args], e)
      : await timed(node, ["--import", probe, ...args], e);
    mustPass(r, args.join(" "));
    return Number(readFileSync(out, "utf8").trim().split("\n").pop()) / 1024;
  };
  log("bench: peak RSS");
  const baseMb = await measure(["-e", "0"], {});
  results.rss.baseMb = baseMb;
  for (const cmd of COMMANDS) {
    await c.reset();
    if (cmd.setup) await cmd.setup(c);
    const env = cmd.asApp ? emulator.envFor(c.ids.site) : emulator.operatorEnv;
    const mb = await measure([BIN, ...cmd.args], env);
    results.rss.commands.push({ name: cmd.name, mb, target: 120, pass: mb < 120 });
    row(
      `peak RSS ${cmd.name}`,
      `${mb.toFixed(1)} MB`,
      `${baseMb.toFixed(1)} MB (node -e 0)`,
      "",
      "< 120 MB",
      mb < 120,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Install: the packed tarball and a fresh `npm install` of it (offline: from npm's cache only).

function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!ent.isFile()) continue;
    bytes += statSync(join(ent.parentPath ?? ent.path, ent.name)).size;
    files += 1;
  }
  return { bytes, files };
}

/**
 * What a fresh install would add besides the package itself, when npm cannot install offline: the
 * runtime dependency closure of package.json as installed in this checkout's node_modules.
 */
function dependencyClosure() {
  const seen = new Set();
  let bytes = 0;
  let files = 0;
  const find = (name, from) => {
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return candidate;
      if (dir === dirname(dir) || dir === ROOT) return undefined;
    }
  };
  const visit = (pkgDir) => {
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const dir = find(name, pkgDir);
      if (!dir || seen.has(dir)) continue;
      seen.add(dir);
      for (const ent of readdirSync(dir, { withFileTypes: true, recursive: true })) {
        const path = join(ent.parentPath ?? ent.path, ent.name);
        if (!ent.isFile() || path.slice(dir.length).includes("/node_modules/")) continue;
        bytes += statSync(path).size;
        files += 1;
      }
      visit(dir);
    }
  };
  visit(ROOT);
  return { packages: seen.size, bytes, files };
}

async function install() {
  const dir = mkdtempSync(join(tmpdir(), "miauth-bench-install-"));
  try {
    log("bench: npm pack");
    const pack = await timed(
      "npm",
      ["pack", "--ignore-scripts", "--json", "--pack-destination", dir],
      childEnv({}),
    );
    if (pack.code !== 0) throw new Error(`npm pack: ${pack.stderr}`);
    const info = JSON.parse(pack.stdout)[0];
    const tarball = join(dir, info.filename);
    const app = join(dir, "app");
    mkdirSync(app);
    writeFileSync(
      join(app, "package.json"),
      '{ "name": "bench-install", "version": "1.0.0", "private": true }\n',
    );
    log("bench: npm install of the tarball (--offline)");
    const inst = await timed(
      "npm",
      ["install", "--prefix", app, "--offline", "--no-audit", "--no-fund", "--no-package-lock", tarball],
      {
        ...childEnv({}),
        npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? "", ".npm"),
      },
      // Never in the checkout: its node_modules may be shared.
      { cwd: app },
    );
    const installed = inst.code === 0 ? treeSize(join(app, "node_modules")) : null;
    const estimate = inst.code === 0 ? null : dependencyClosure();
    results.install = {
      tarball: { bytes: statSync(tarball).size, files: info.entryCount, unpackedBytes: info.unpackedSize },
      installed,
      installMs: inst.ms,
      installError: inst.code === 0 ? null : (/npm error code (\S+)/.exec(inst.stderr)?.[1] ?? "failed"),
      estimate,
      targets: { mb: 15, ms: 3000 },
    };
    const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
    row(
      "packed tarball",
      `${mb(statSync(tarball).size)} (${mb(info.unpackedSize)} unpacked), ${info.entryCount} files`,
      "",
      "",
      "-",
      null,
    );
    if (installed) {
      row(
        "fresh npm install: size",
        `${mb(installed.bytes)}, ${installed.files} files`,
        "",
        "",
        "<= 15 MB",
        installed.bytes <= 15e6,
      );
      row("fresh npm install: wall time", fmtMs(inst.ms), "", "", "<= 3000 ms", inst.ms <= 3000);
    } else {
      // Offline, npm can only install what its cache holds; the bench never asks the registry.
      row(
        "fresh npm install (offline)",
        `${results.install.installError}: needs the registry`,
        "",
        "",
        "<= 15 MB, 3 s",
        false,
      );
      row(
        `  estimate: package + ${estimate.packages} dependencies from node_modules`,
        `${mb(estimate.bytes + info.unpackedSize)}, ${estimate.files + info.entryCount} files`,
        "",
        "",
        "<= 15 MB",
        estimate.bytes + info.unpackedSize <= 15e6,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------

function printTable() {
  const head = ["what", "median", "floor", "ratio", "target", "pass/fail"];
  const body = rows.map((r) => [
    r.what,
    r.value,
    r.floor,
    r.ratio,
    r.target,
    r.pass === null ? "" : r.pass ? "pass" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => `| ${cells.map((x, i) => String(x).padEnd(widths[i])).join(" | ")} |`;
  const out = [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)];
  process.stdout.write(
    `miauth bench: Node ${nodeVersion}${compileCache ? " (compile cache on)" : ""}, ${results.machine.cpus} CPUs (${results.machine.model}), medians of ${runs} run(s)${warmups ? " after a warm-up" : " (no warm-up: --quick)"}\n${out.join("\n")}\n`,
  );
}

const main = await startEmulator({
  lroDelayMs: 0,
  retryAfterSeconds: 1,
  replicationDelayMs: 0,
  dataPlaneDelayMs: 0,
});
const mainClient = emulatorClient(main);
let failed;
try {
  if (!main.blob) throw new Error("the bench needs the blob data plane (Azurite): npm ci");
  if (part("startup")) await startupTable();
  if (part("commands")) {
    await commandTable(main, mainClient, 0);
    for (const cnt of results.counts)
      row(
        `requests ${cnt.command} (${cnt.phase})`,
        `${cnt.arm} ARM + ${cnt.token} token${cnt.blob ? ` + ${cnt.blob} blob` : ""}`,
        "",
        "",
        "-",
        null,
      );
  }
  if (part("sdk")) await sdkTable(main, mainClient);
  // --quick shows that latency is measured with the first command only.
  if (part("latency")) await commandTable(main, mainClient, 50, opt.quick ? COMMANDS.slice(0, 1) : COMMANDS);
  if (part("rss")) await peakRss(main, mainClient);
  if (part("bulk")) await bulk(main, mainClient);
  if (part("lro")) await lroOverhead();
  if (part("wait")) {
    await waitDetection(3000, opt.quick ? 1 : Math.min(runs, 3), 1000);
    if (opt.full) await waitDetection(60_000, 1, 2000);
    else {
      results.waits.wait60s = null;
      row("verify --wait detection (60 s propagation)", "not run (--full)", "", "", "<= 2000 ms", null);
    }
  }
  if (part("install")) await install();
} catch (e) {
  failed = e;
} finally {
  await main.close();
}
results.blocked = guardBlocked();
results.pass = rows.every((r) => r.pass !== false);
mkdirSync(dirname(opt.out), { recursive: true });
writeFileSync(opt.out, `${JSON.stringify(results, null, 2)}\n`);
if (rows.length > 0) printTable();
cleanup();
if (results.blocked.length > 0) {
  log(`bench: the network guard blocked: ${results.blocked.join("; ")} (${GUARD_LOG})`);
  process.exitCode = 1;
}
if (failed) {
  log(`bench: ${failed.stack ?? failed}`);
  process.exitCode = 1;
}
