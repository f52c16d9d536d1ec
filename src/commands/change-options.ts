// The flags enable and disable share. Apart from apply.ts, the code that runs the change, so that a
// command's definition (its help) loads none of it.
import type { Command } from "commander";
import type { IdentityChange } from "../azure/identity-merge.js";
import { addTimeoutOption } from "./timeout.js";

/** The flags enable and disable share besides the target. */
export interface RawChangeOptions {
  dryRun?: boolean;
  wait: boolean;
}

export function addChangeOptions(cmd: Command): Command {
  return addTimeoutOption(
    cmd
      .option("--dry-run", "print the planned change, write nothing")
      .option("--no-wait", "VMs: return once ARM accepted the change"),
    "10m",
    "waiting for a VM update included; the update goes on in Azure",
  );
}

export function changeFlags(raw: RawChangeOptions, change: IdentityChange): ChangeFlags {
  return {
    change,
    dryRun: raw.dryRun === true,
    noWait: !raw.wait,
  };
}

export interface ChangeFlags {
  change: IdentityChange;
  dryRun: boolean;
  noWait: boolean;
}
