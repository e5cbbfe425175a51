/**
 * `npm run fuzz [-- --runs N] [-- --only Component] [-- --seed S]`: the fuzz test of issue 11 with
 * 1,000 cases per public component (test/fuzz/fuzz.ts says what a case is and how it may end).
 * Prints rejected / harmless / failures per component and every failure; exits 1 if there is one.
 */
import { COMPONENTS } from "../../cli/schema";
import { fuzz } from "./fuzz";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<number> {
  const runs = Number(option("runs") ?? 1000);
  const seed = option("seed") === undefined ? Date.now() : Number(option("seed"));
  const only = option("only");
  const list = COMPONENTS.filter((c) => only === undefined || only.split(",").includes(c));
  console.log(`fuzz: ${runs} cases per component, seed ${seed}`);
  let failed = 0;
  const total = { runs: 0, rejected: 0, harmless: 0, failures: 0 };
  for (const component of list) {
    const start = Date.now();
    const c = await fuzz(component, runs, seed);
    const seconds = ((Date.now() - start) / 1000).toFixed(1);
    console.log(
      `${component.padEnd(22)} ${String(c.seeds).padStart(2)} seeds ${String(c.runs).padStart(5)} runs  ${String(c.rejected).padStart(5)} rejected  ${String(c.harmless).padStart(5)} harmless  ${String(c.failures.length).padStart(4)} failures  ${seconds} s`,
    );
    for (const f of c.failures)
      console.log(`  FAIL ${component} \`${f.field}\` = ${f.value}: ${f.problem}`);
    failed += c.failures.length;
    total.runs += c.runs;
    total.rejected += c.rejected;
    total.harmless += c.harmless;
    total.failures += c.failures.length;
  }
  console.log(
    `total: ${total.runs} runs, ${total.rejected} rejected, ${total.harmless} harmless, ${total.failures} failures`,
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
