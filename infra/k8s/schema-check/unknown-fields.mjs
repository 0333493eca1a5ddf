// Strict mode for the schema check: the field names of an object that its Kubernetes type does not declare. The
// kubernetes-models validators accept any extra field (the OpenAPI schemas do not forbid them); the API server drops
// such a field, or rejects it under kubectl's strict field validation, so a misspelt optional field would silently do
// nothing. The declared fields come from the model classes of @kubernetes/client-node (generated from the same
// OpenAPI schemas): each lists its fields and their types in attributeTypeMap. Only names are checked here; types,
// required fields and formats stay with kubernetes-models.
import * as models from "@kubernetes/client-node/dist/gen/models/all.js";

/** The model class of apiVersion/kind: V1Deployment for apps/v1 Deployment, or group-prefixed (RbacV1Subject) when both exist. */
export function modelOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const versionName = version[0].toUpperCase() + version.slice(1);
  const groupName = group.split(".")[0].replace(/^./, c => c.toUpperCase());
  return models[`${groupName}${versionName}${kind}`] ?? models[`${versionName}${kind}`];
}

/** "spec.template.spec.containers[0].imagePullPolicyy" for every field of value not declared by its type. */
export function unknownFields(value, type, path = "") {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(item, list[1], `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return isObject(value) ? Object.entries(value).flatMap(([key, item]) => unknownFields(item, map[1], `${path}.${key}`)) : [];
  const model = models[type];
  if (!model?.attributeTypeMap || !isObject(value)) return [];
  const declared = new Map(model.attributeTypeMap.map(field => [field.baseName, field.type]));
  return Object.entries(value).flatMap(([key, item]) => {
    const where = path ? `${path}.${key}` : key;
    return declared.has(key) ? unknownFields(item, declared.get(key), where) : [where];
  });
}

const isObject = value => value !== null && typeof value === "object" && !Array.isArray(value);
