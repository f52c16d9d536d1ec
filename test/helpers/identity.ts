// What the write tests read back: the CLI's identity result, and the identity the emulator holds.
import { runCli } from "./cli.js";
import type { TestEmulator } from "./emulator.js";

export interface IdentityOut {
  principalId: string | null;
  type: string;
  userAssignedIdentities: Record<string, unknown> | null;
  resourceId: string;
  result: string;
}

/** Runs the built CLI against this file's emulator. */
export function cliOf(emu: { current: TestEmulator }) {
  return (args: string[]) => runCli(args, { env: { ...emu.current.env } });
}

/** The identity type the emulator holds, read past any fault. */
export async function typeInState(emu: TestEmulator, kind: "sites" | "virtualMachines", name: string) {
  const state = (await emu.state()) as Record<string, { id: string; identity: { type: string } | null }[]>;
  const found = state[kind]?.find((r) => r.id.toLowerCase().endsWith(`/${name}`));
  return found?.identity?.type ?? "None";
}

export async function userAssignedInState(emu: TestEmulator, name: string): Promise<string[]> {
  const state = (await emu.state()) as Record<
    string,
    { id: string; identity: { userAssignedIdentities?: Record<string, unknown> } | null }[]
  >;
  const all = [...(state.sites ?? []), ...(state.virtualMachines ?? [])];
  const found = all.find((r) => r.id.toLowerCase().endsWith(`/${name}`));
  return Object.keys(found?.identity?.userAssignedIdentities ?? {}).map((k) => k.toLowerCase());
}
