/**
 * fast-check arbitraries for requests, read off the OpenAPI document the app serves: a JSON Schema gives
 * values that fit it, and, mixed in, the input a hostile or careless client sends (NUL, lone surrogates,
 * CR/LF, very long strings, other scripts, numbers that round to nothing or overflow, values of the
 * wrong type). Used by the API fuzzer (test/api-fuzz.test.ts).
 */
import fc from 'fast-check';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON Schema as the document has it
export type Schema = Record<string, any>;

export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00',
  '\uDFFF\uD83D',
  '',
  ' ',
  '\r\n',
  'a\r\nSet-Cookie: x=1',
  '\t',
  '😀',
  'Zürich 東京 עברית',
  '\u202Eevil',
  'x'.repeat(5000),
  '%00',
  '../../etc/passwd',
  "' or 1=1 --",
  '$.a[0]',
  '<script>alert(1)</script>',
  '0',
  '-1',
  '1e400',
  'NaN',
  'null',
  '2026-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+99999-01-01T00:00:00Z',
  '2026-03-29T02:30',
  '24:00',
  'America/Nowhere',
];

export const HOSTILE_NUMBERS = [
  0,
  -0,
  0.001,
  -0.001,
  -1,
  1.5,
  1e-300,
  2 ** 31,
  2 ** 53,
  1e21,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
];

/** Any UTF-16 code unit, so lone surrogates come up as often as anything else. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));

/** Strings Postgres cannot store, wherever they sit in a longer one. */
const unstorable = fc
  .tuple(
    fc.string({ maxLength: 4 }),
    fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\uDBFF\u0000'),
    fc.string({ maxLength: 4 }),
  )
  .map((parts) => parts.join(''));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: unstorable },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom<unknown>(...HOSTILE_NUMBERS, true, false, null, [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);

export interface ArbitraryOptions {
  /** Resolves `$ref`s (the document's components). */
  doc: Schema;
  /** Mix hostile leaves and wrongly typed values in with fitting ones. */
  hostile: boolean;
  /** Ids of real resources: a uuid is often one of them, so requests get past "no such user". */
  uuids: string[];
}

/** Returns an arbitrary of values for the schema (hostile ones mixed in when asked). */
export function valueFor(
  schema: Schema | undefined,
  opts: ArbitraryOptions,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema ?? {}, opts.doc);
  let fitting = fittingValueFor(s, opts, depth);
  // The document's own example is a value that fits the rules no schema states (a real time zone).
  if (s.example !== undefined && s.type !== 'object') fitting = fc.oneof(fitting, fc.constant(s.example));
  return opts.hostile
    ? fc.oneof({ weight: 8, arbitrary: fitting }, { weight: 1, arbitrary: hostileValue })
    : fitting;
}

// Instants cluster around one day, so that ranges limited to 93 or 366 days are often within bounds.
const BASE = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const instant = fc.oneof(
  fc.integer({ min: -60, max: 60 }).map((d) => new Date(BASE + (d * DAY) / 2)),
  fc.date({
    min: new Date('1990-01-01T00:00:00Z'),
    max: new Date('2100-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
);

/** Returns the schema a `$ref` points to (or the schema itself). */
function resolve(schema: Schema, doc: Schema): Schema {
  let s = schema;
  while (typeof s.$ref === 'string')
    s = doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {};
  return s;
}

function fittingValueFor(raw: Schema, opts: ArbitraryOptions, depth: number): fc.Arbitrary<unknown> {
  const s = resolve(raw, opts.doc);
  if (depth > 6) return fc.constant(null);
  const alternatives = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((a) => valueFor(a, opts, depth + 1)));
  if (s.allOf)
    return valueFor(
      Object.assign({}, ...(s.allOf as Schema[]).map((a) => resolve(a, opts.doc))),
      opts,
      depth + 1,
    );
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (Array.isArray(s.type))
    return fc.oneof(...(s.type as string[]).map((type) => fittingValueFor({ ...s, type }, opts, depth)));
  switch (s.type) {
    case 'string':
      return stringFor(s, opts);
    case 'integer':
    case 'number':
      return numberFor(s, opts);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueFor(s.items, opts, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)),
      });
    case 'object':
      return objectFor(s, opts, depth);
    default:
      // No type: anything JSON.
      return fc.jsonValue({ maxDepth: 3 });
  }
}

function stringFor(s: Schema, opts: ArbitraryOptions): fc.Arbitrary<unknown> {
  const maxLength = Math.max(s.minLength ?? 0, Math.min(s.maxLength ?? 40, 40));
  let fitting: fc.Arbitrary<string>;
  if (s.format === 'uuid')
    fitting = opts.uuids.length > 0 ? fc.oneof(fc.uuid(), fc.constantFrom(...opts.uuids)) : fc.uuid();
  else if (s.format === 'date-time') fitting = instant.map((d) => d.toISOString());
  else if (s.format === 'date') fitting = instant.map((d) => d.toISOString().slice(0, 10));
  else if (s.format === 'uri') fitting = fc.webUrl();
  else if (s.format === 'email') fitting = fc.emailAddress();
  else if (typeof s.pattern === 'string') fitting = fc.stringMatching(new RegExp(s.pattern));
  else fitting = fc.string({ minLength: s.minLength ?? 0, maxLength });
  return opts.hostile
    ? fc.oneof({ weight: 2, arbitrary: fitting }, { weight: 1, arbitrary: hostileString })
    : fitting;
}

function numberFor(s: Schema, opts: ArbitraryOptions): fc.Arbitrary<unknown> {
  const min = s.minimum ?? s.exclusiveMinimum ?? -1e6;
  const max = s.maximum ?? s.exclusiveMaximum ?? 1e6;
  const integer = fc.integer({
    min: Math.ceil(min + (s.exclusiveMinimum !== undefined ? 1 : 0)),
    max: Math.floor(max),
  });
  // Doubles lean to the extremes (5e-324); whole numbers in range are what clients mostly send.
  const fitting =
    s.type === 'integer'
      ? integer
      : fc.oneof(
          integer,
          fc.double({
            min,
            max,
            noNaN: true,
            noDefaultInfinity: true,
            minExcluded: s.exclusiveMinimum !== undefined,
          }),
        );
  return opts.hostile
    ? fc.oneof(
        { weight: 2, arbitrary: fitting },
        { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
      )
    : fitting;
}

function objectFor(s: Schema, opts: ArbitraryOptions, depth: number): fc.Arbitrary<unknown> {
  const properties = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set((s.required ?? []) as string[]);
  const keys = Object.keys(properties);
  const example = (typeof s.example === 'object' && s.example !== null ? s.example : {}) as Record<
    string,
    unknown
  >;
  const property = (k: string) => {
    const generated = valueFor(properties[k], opts, depth + 1);
    return k in example ? fc.oneof(generated, fc.constant(example[k])) : generated;
  };
  const known = fc.record(Object.fromEntries(keys.map((k) => [k, property(k)])), {
    requiredKeys: keys.filter((k) => required.has(k)),
  });
  const extra = s.additionalProperties;
  if (extra === false && !opts.hostile) return known;
  // Free-form maps (labels, details) and, when hostile, unknown keys on closed objects.
  const key = opts.hostile
    ? fc.oneof(
        { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
        { weight: 1, arbitrary: hostileString },
      )
    : fc.string({ minLength: 1, maxLength: 12 });
  const value =
    extra && typeof extra === 'object' && Object.keys(extra).length > 0
      ? valueFor(extra, opts, depth + 1)
      : fc.jsonValue({ maxDepth: 2 });
  const more = fc.dictionary(key, value, { maxKeys: extra === false ? 1 : 3 });
  const moreOften =
    extra === false
      ? fc.oneof({ weight: 6, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: more })
      : more;
  return fc.tuple(moreOften, known).map(([m, k]) => ({ ...m, ...k }));
}

/**
 * Returns the string percent-encoded for a URL. A lone surrogate, which encodeURIComponent refuses, is
 * sent as the three bytes a careless encoder produces for it (ED A0 80: not valid UTF-8), as a hostile
 * client would.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(value.slice(i, i + 2));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(value[i]!);
    }
  }
  return out;
}

type Path = (string | number)[];

/** Returns where a JSON value has leaves a fuzzer can spoil: strings, numbers, and object keys. */
function leavesOf(value: unknown, at: Path = [], out: { at: Path; key: boolean; number: boolean }[] = []) {
  if (Array.isArray(value)) value.forEach((v, i) => leavesOf(v, [...at, i], out));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push({ at: [...at, k], key: true, number: false });
      leavesOf(v, [...at, k], out);
    }
  } else if (value !== undefined) out.push({ at, key: false, number: typeof value === 'number' });
  return out;
}

/** Returns a copy of value with the node at `at` replaced (or, for a key, renamed). */
function replaced(value: unknown, at: Path, next: unknown, renameKey: boolean): unknown {
  if (at.length === 0) return next;
  const [head, ...rest] = at;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, next, renameKey) : v));
  const obj = value as Record<string, unknown>;
  if (renameKey && rest.length === 0)
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => (k === head ? [String(next), v] : [k, v])));
  return { ...obj, [head as string]: replaced(obj[head as string], rest, next, renameKey) };
}

/**
 * Returns an arbitrary of the value with exactly one leaf spoiled: a string or a key made hostile, a
 * number made extreme, or any leaf given a value of another type. Everything else still fits, so the
 * request gets as far as the one bad field lets it.
 */
export function withOneHostileLeaf(value: unknown): fc.Arbitrary<unknown> {
  const leaves = leavesOf(value);
  if (leaves.length === 0) return fc.constant(value);
  return fc
    .tuple(
      fc.nat({ max: leaves.length - 1 }),
      hostileString,
      fc.constantFrom(...HOSTILE_NUMBERS),
      hostileValue,
      fc.nat({ max: 3 }),
    )
    .map(([i, str, num, any, pick]) => {
      const leaf = leaves[i]!;
      if (leaf.key) return replaced(value, leaf.at, str, true);
      const next = pick === 0 ? any : leaf.number ? num : str;
      return replaced(value, leaf.at, next, false);
    });
}
