// Builds the card into the integration (the bundle HACS installs is committed), or with
// --tests the unit tests into .test-build/ for `node --test`. The same sources and the
// locked esbuild give the same bytes: tests/test_card_bundle.py rebuilds and compares.
import { build } from "esbuild";
import { readdirSync } from "node:fs";

const tests = process.argv.includes("--tests");
const out = process.argv.find((arg) => arg.startsWith("--outfile="))?.slice(10);

if (tests) {
  await build({
    entryPoints: readdirSync("test").filter((f) => f.endsWith(".test.ts")).map((f) => `test/${f}`),
    bundle: true,
    platform: "node",
    format: "esm",
    outdir: ".test-build",
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
} else {
  await build({
    entryPoints: ["src/card.ts"],
    bundle: true,
    format: "esm",
    target: "es2021",
    minify: true,
    legalComments: "eof",
    outfile: out ?? "../custom_components/qbt_bridge/frontend/qbt-bridge-card.js",
    logLevel: "warning",
  });
}
