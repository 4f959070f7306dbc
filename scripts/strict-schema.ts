/**
 * Turns Kubernetes' OpenAPI schemas into the strict JSON schemas kubeconform validates against: an
 * object that lists its properties accepts no others (so a misspelt field fails instead of being
 * ignored, as the API server would silently drop it), int-or-string and quantities accept both JSON
 * types, and descriptions and x-kubernetes-* annotations go (they validate nothing and are most of the
 * size). Only the schema keywords are walked, so a property that happens to be called `description` stays.
 */

export type Schema = { [key: string]: unknown };

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keywords whose value is a map of name → schema. */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
/** Keywords whose value is a schema or a list of schemas. */
const SCHEMA_VALUES = ['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'];

const intOrString = (): Schema => ({ oneOf: [{ type: 'string' }, { type: 'integer' }] });

/** Returns `schema` made strict; `$ref`s are kept as they are. */
export function strictSchema(schema: Schema): Schema {
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true)
    return intOrString();
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'nullable') continue; // OpenAPI's, not JSON Schema's; folded into `type` below
    if (SCHEMA_MAPS.includes(key) && isSchema(value))
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, s]) => [name, isSchema(s) ? strictSchema(s) : s]),
      );
    else if (SCHEMA_VALUES.includes(key) && Array.isArray(value))
      out[key] = value.map((s) => (isSchema(s) ? strictSchema(s) : s));
    else if (SCHEMA_VALUES.includes(key) && isSchema(value)) out[key] = strictSchema(value);
    else out[key] = value;
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  // x-kubernetes-preserve-unknown-fields is a CRD's way of saying "anything goes below here".
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (isSchema(out.properties) && out.additionalProperties === undefined && !open)
    out.additionalProperties = false;
  return out;
}

/** Returns the names of the definitions `root` reaches through `#/definitions/...` references, itself excluded. */
export function reachableDefinitions(root: Schema, definitions: Record<string, Schema>): string[] {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isSchema(node)) return;
    const ref = node.$ref;
    if (typeof ref === 'string' && ref.startsWith('#/definitions/')) {
      const name = ref.slice('#/definitions/'.length);
      if (!seen.has(name)) {
        seen.add(name);
        const target = definitions[name];
        if (!target) throw new Error(`${ref}: no such definition`);
        visit(target);
      }
    }
    Object.values(node).forEach(visit);
  };
  visit(root);
  return [...seen].sort();
}

/** The apiVersion a resource of `group`/`version` is written with ("v1" for the core group). */
export const apiVersionOf = (group: string, version: string): string =>
  group ? `${group}/${version}` : version;

/** Pins a top-level schema's apiVersion and kind, so a schema is only ever used for its own kind. */
export function pinKind(schema: Schema, apiVersion: string, kind: string): Schema {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  return {
    ...schema,
    properties: {
      ...properties,
      apiVersion: { type: 'string', enum: [apiVersion] },
      kind: { type: 'string', enum: [kind] },
    },
    required: [...new Set(['apiVersion', 'kind', ...((schema.required as string[] | undefined) ?? [])])],
  };
}
