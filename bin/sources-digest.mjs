// The digest of the engine's TypeScript sources (src-main, but not the Electron shell):
// dist-engine/ records the one it was built from, and bin/tlslab.mjs runs that bundle only while
// the sources still have it. Contents, not times: copies and checkouts change file times without
// changing what the bundle would be. package.json is not in it: the bundle reads it when it runs
// (the version) and imports the npm packages from node_modules, so neither is inside the bundle.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function sourceFiles(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'electron') sourceFiles(full, out);
    } else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

export function sourcesDigest(root) {
  const hash = crypto.createHash('sha256');
  const files = sourceFiles(path.join(root, 'src-main'), []).sort();
  for (const file of files) {
    hash.update(path.relative(root, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}
