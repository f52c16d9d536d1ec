// `miauth identity`: user-assigned managed identities.
import { Command } from "commander";
import { addFederateCommand } from "./identity-federate.js";
import type { Runner } from "./runner.js";

export function identityCommand(run: Runner): Command {
  const identity = new Command("identity").description("User-assigned managed identities");
  addFederateCommand(identity, run);
  return identity;
}
