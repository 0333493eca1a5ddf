// Validates every object of the given YAML files with the model class kubernetes-models has for its apiVersion and
// kind: the validators it generates from the Kubernetes OpenAPI schemas (types, required fields, enums, formats).
// Strict: a field name the object's type does not declare fails it too (unknown-fields.mjs).
//   usage: node validate.mjs FILE.yaml...      (infra/k8s/validate.sh runs it)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { modelOf, unknownFields } from "./unknown-fields.mjs";

let failures = 0;
for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object = document.toJS();
    if (!object || object.apiVersion?.startsWith("kustomize.config.k8s.io/")) continue;
    const where = `${file}: ${object.kind}/${object.metadata?.name}`;
    try {
      const group = await import(`kubernetes-models/${object.apiVersion}`);
      if (!group[object.kind]) throw new Error(`no kind ${object.kind} in ${object.apiVersion}`);
      new group[object.kind](object).validate();
      const model = modelOf(object.apiVersion, object.kind);
      if (!model) throw new Error(`no field list for ${object.apiVersion} ${object.kind}: unknown fields cannot be checked`);
      const unknown = unknownFields(object, model.name);
      if (unknown.length) throw new Error(`unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
      console.log(`ok    ${where}`);
    } catch (error) {
      failures++;
      console.log(`FAIL  ${where}\n${error.message}`);
    }
  }
}
process.exit(failures ? 1 : 0);
