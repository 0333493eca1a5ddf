// Schema-validates Kubernetes manifests with the JSON schemas shipped in the kubernetes-models package
// (generated from the Kubernetes OpenAPI spec). Run by validate.sh, which installs the packages.
//   usage: node validate.mjs FILE.yaml...
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

// kubernetes-models is ESM-only with an exports map; import its files by path from validate.sh's install folder.
const modules = process.env.K8S_VALIDATE_MODULES;
const load = (path) => import(pathToFileURL(`${modules}/${path}`).href);
const { parseAllDocuments } = await load("yaml/dist/index.js");
let failures = 0;

for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const obj = doc.toJS();
    if (!obj) continue;
    const where = `${file}: ${obj.kind}/${obj.metadata?.name}`;
    if (obj.apiVersion.startsWith("kustomize.config.k8s.io/")) continue;
    try {
      const models = await load(`kubernetes-models/${obj.apiVersion}/index.js`);
      if (!models[obj.kind]) throw new Error(`unknown kind ${obj.kind} in ${obj.apiVersion}`);
      new models[obj.kind](obj).validate();
      console.log(`ok    ${where}`);
    } catch (error) {
      failures++;
      console.log(`FAIL  ${where}\n${error.message}`);
    }
  }
}
process.exit(failures ? 1 : 0);
