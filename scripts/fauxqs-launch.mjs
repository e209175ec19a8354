// fauxqs-launch.mjs starts the fauxqs SQS stand-in on one address for scripts/services.sh.
//
//   node fauxqs-launch.mjs <fauxqs package dir> <host> <port>
//
// fauxqs's own CLI binds 0.0.0.0 and logs every request; this binds the given host only and
// logs nothing. The package lives in the tools dir, not beside this file, so it is imported
// by path through its package.json "exports" entry.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, host, portArg] = process.argv.slice(2);
const port = Number.parseInt(portArg ?? "", 10);
if (!pkgDir || !host || !Number.isInteger(port)) {
  console.error("usage: fauxqs-launch.mjs <fauxqs package dir> <host> <port>");
  process.exit(2);
}

const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
const entry = pkg.exports?.["."]?.import?.default ?? pkg.main;
const { buildApp } = await import(pathToFileURL(join(pkgDir, entry)).href);

const app = buildApp({ logger: false });
await app.listen({ port, host });
console.log(`fauxqs ${pkg.version} listening on http://${host}:${port}`);

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
