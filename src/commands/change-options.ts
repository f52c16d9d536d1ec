// The flags enable and disable share. Apart from apply.ts, the code that runs the change, so that a
// command's definition (its help) loads none of it.
import type { Command } from "commander";
import type { IdentityChange } from "../azure/identity-merge.js";
import { type UserAssignedRef, userAssignedIdFor } from "../azure/ids.js";
import type { Target } from "../azure/target.js";
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
      .option("--no-wait", "VMs and container apps: return once ARM accepted the change"),
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

/** --identity-resource-group: where --user-assigned names are (default: the target's group). */
export function addIdentityGroupOption(cmd: Command): Command {
  return cmd.option(
    "--identity-resource-group <group>",
    "resource group of the --user-assigned identities given by name (default: the target's)",
  );
}

/** The change for one target: --user-assigned names become IDs in its subscription and group. */
export function userAssignedChange(
  system: IdentityChange["system"],
  add: UserAssignedRef[],
  remove: UserAssignedRef[],
): (target: Target, subscriptionId: string) => IdentityChange {
  return (target, subscriptionId) => {
    const sub = target.subscriptionId ?? subscriptionId;
    const ids = (refs: UserAssignedRef[]) => refs.map((r) => userAssignedIdFor(r, sub, target.resourceGroup));
    return { system, addUserAssigned: ids(add), removeUserAssigned: ids(remove) };
  };
}

export interface ChangeFlags {
  change: IdentityChange;
  /** Set when --user-assigned names an identity: the change differs per target (its group). */
  changeFor?: (target: Target, subscriptionId: string) => IdentityChange;
  dryRun: boolean;
  noWait: boolean;
}
