// `npm run bench` in --quick mode, one run, the parts that time waits and bulk work: the shape of what
// it writes, never its timings. The command parts are test/e2e/bench.test.ts.
import { expect, it } from "vitest";
import { benchQuick } from "../helpers/bench.js";

it("measures the VM LRO, verify --wait and bulk assignment, and writes their shape", async () => {
  const { r, res } = await benchQuick(["bulk", "lro", "wait"]);

  expect(res.blocked).toEqual([]);
  expect(res.commands).toEqual([]);
  expect(res.waits.lro.overheadMs).toEqual(expect.any(Number));
  expect(res.waits.lro.samples[0].polls).toBeGreaterThanOrEqual(1);
  expect(res.waits.wait3s.delayMs).toEqual(expect.any(Number));
  expect(res.waits.wait60s).toBeNull();
  expect(res.bulk.assignees).toBe(20);
  expect(res.bulk.bulk.assignments).toBe(res.bulk.assignees);
  expect(res.bulk.oneAtATime.assignments).toBe(res.bulk.assignees);
  expect(res.bulk.bulk.throttled).toBeGreaterThan(0);
  expect(r.stdout).toMatch(/^\| assign-role bulk, 20 assignees \(floor: --concurrency 1\) +\|/m);
  expect(r.stdout).toMatch(/^\| verify --wait detection \(60 s propagation\) +\| not run \(--full\) +\|/m);
}, 600_000);
