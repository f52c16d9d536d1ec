// Vitest setup: the guard is active in every test worker before any test code runs.
import "./net-guard.mjs";
