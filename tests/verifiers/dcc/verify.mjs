// Verify one Open Badges 3.0 credential with the Digital Credentials Consortium's verifier,
// as their VerifierPlus and Learner Credential Wallet do, and print the result as JSON.
//
//   node verify.mjs credential.json
//
// LEAP_SITE (e.g. http://localhost:8123/) is where Leap is served in the test. did:web is
// always resolved over HTTPS, so https://<same host>/ is sent there instead; every other
// address is refused, so nothing is fetched from outside.
import fs from 'node:fs';

const site = new URL(process.env.LEAP_SITE);
const secure = `https://${site.host}/`;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  let target = null;
  if (url.startsWith(secure)) target = site.href + url.slice(secure.length);
  else if (url.startsWith(site.href)) target = url;
  if (target === null) return Promise.reject(new TypeError(`refused (not Leap): ${url}`));
  return realFetch(input instanceof Request ? new Request(target, input) : target, init);
};

const { verifyCredential } = await import('@digitalcredentials/verifier-core');
const credential = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const print = console.log;
console.log = () => {}; // the library logs as it goes
const result = await verifyCredential({ credential, knownDIDRegistries: [] });
console.log = print;
delete result.credential;
print(JSON.stringify(result));
