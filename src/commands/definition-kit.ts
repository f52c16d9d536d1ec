// Every module a command's definition may use (test/e2e/startup.test.ts, DEFINITION_CODE), imported
// by cli.ts, by every definition and by the actions (./actions.ts), so that they are all reached from
// the same entry points and the bundle has them in one chunk with commander, rather than a file each.
// Nothing here runs anything: the modules are imported for where the bundler puts them.
import "../azure/clouds.js";
import "../azure/ids.js";
import "../azure/principal-types.js";
import "../azure/scope.js";
import "../azure/target.js";
import "../errors.js";
import "../help.js";
import "../output/formats.js";
import "../output/io.js";
import "../version.js";
import "./change-options.js";
import "./global-options.js";
import "./identity-federate.js";
import "./role-flags.js";
import "./shared.js";
import "./timeout.js";
