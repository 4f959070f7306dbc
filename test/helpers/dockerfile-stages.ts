/**
 * Runs a Dockerfile's stages outside Docker (no engine runs on the machines the suite runs on): each
 * stage gets a folder standing for its WORKDIR, COPY copies from the build context or from an earlier
 * stage's folder, RUN runs in a shell there with the stage's ENV. What it cannot do is stand in for the
 * base image: the commands run on this machine's node and npm, which the tests check match the image's
 * major version. Parsing is dockerfile-ast's (the parser of VS Code's Docker extension), not a copy of
 * the syntax rules here.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, ModifiableInstruction, type Instruction } from 'dockerfile-ast';

export interface Stage {
  name: string;
  image: string;
  /** The folder standing for the stage's WORKDIR. */
  dir: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  healthcheck?: string[];
  instructions: Instruction[];
}

/**
 * Returns the JSON (exec) form of a CMD's arguments (a HEALTHCHECK's after its flags and CMD), or throws:
 * the shell form puts sh in front of node.
 */
export function execForm(args: string, what: string): string[] {
  try {
    const parsed = JSON.parse(args) as unknown;
    if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) return parsed;
  } catch {
    // fall through
  }
  throw new Error(`${what} is not in exec form (["node", ...]): ${args}`);
}

/** Returns the stages of the Dockerfile text, each with its instructions, ENV, USER, CMD and HEALTHCHECK. */
export function stagesOf(text: string, root: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const [image = '', as, name] = instruction.getArguments().map((a) => a.getValue());
      const index = stages.length;
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(index), image, dir: path.join(root, `stage-${index}`), workdir: '/', env: {}, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before FROM`);
    stage.instructions.push(instruction);
    const args = instruction.getArguments().map((a) => a.getValue());
    if (keyword === 'WORKDIR') stage.workdir = args[0]!;
    if (keyword === 'ENV') for (const pair of args) stage.env[pair.split('=')[0]!] = pair.split('=').slice(1).join('=');
    if (keyword === 'USER') stage.user = args[0];
    const content = instruction.getArgumentsContent() ?? '';
    if (keyword === 'CMD') stage.cmd = execForm(content, 'CMD');
    if (keyword === 'HEALTHCHECK') stage.healthcheck = execForm(content.replace(/^(--\S+\s+)*CMD\s+/i, ''), 'HEALTHCHECK');
  }
  return stages;
}

/** Returns an instruction's --flags by name. */
function flagsOf(instruction: Instruction): Record<string, string | null> {
  if (!(instruction instanceof ModifiableInstruction)) return {};
  return Object.fromEntries(instruction.getFlags().map((f) => [f.getName(), f.getValue()]));
}

/** Copies COPY's sources (from `from`) to its destination in `stage`, as Docker does: a folder's contents, files by name. */
function copy(stage: Stage, sources: string[], dest: string, from: string): void {
  const target = path.resolve(stage.dir, path.relative(stage.workdir, path.resolve(stage.workdir, dest)));
  const intoFolder = dest.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    const src = path.join(from, source);
    const to = intoFolder && !statSync(src).isDirectory() ? path.join(target, path.basename(source)) : target;
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(src, to, { recursive: true });
  }
}

/**
 * Runs every stage's COPY and RUN in order. `context` is the build context; `runEnv` is added to each
 * RUN's environment (e.g. npm's prefer-offline, which changes where packages come from, not what runs).
 */
export function runStages(stages: Stage[], context: string, runEnv: NodeJS.ProcessEnv, log: (line: string) => void): void {
  for (const stage of stages) {
    mkdirSync(stage.dir, { recursive: true });
    // Read by the unprivileged user the image runs as, like a layer's files.
    chmodSync(stage.dir, 0o755);
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      if (keyword === 'COPY') {
        const flags = flagsOf(instruction);
        const args = instruction.getArguments().map((a) => a.getValue());
        const dest = args.pop()!;
        const fromStage = flags.from === undefined ? undefined : stages.find((s) => s.name === flags.from);
        if (flags.from !== undefined && !fromStage) throw new Error(`COPY --from=${flags.from}: no such stage`);
        // A path in another stage is absolute in its file system: under that stage's WORKDIR folder here.
        const sources = fromStage ? args.map((a) => path.relative(fromStage.workdir, a)) : args;
        copy(stage, sources, dest, fromStage ? fromStage.dir : context);
      } else if (keyword === 'RUN') {
        // Flags (--mount=type=cache for npm's cache) are BuildKit's business: the command is what follows.
        const command = instruction.getArguments().map((a) => a.getValue()).join(' ');
        const started = Date.now();
        execFileSync('sh', ['-c', command], { cwd: stage.dir, env: { ...process.env, ...stage.env, ...runEnv }, stdio: 'pipe', maxBuffer: 64 * 1024 * 1024 });
        log(`stage ${stage.name}: RUN ${command} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    }
  }
}
