import type { FunctionMap, ParameterKind } from './functions.js';
import { describeArgument, describeCommand, describeNode, type Argument, type Command, type Node, type Pipeline, type Tree } from './parse.js';
import { TemplateError } from './template-error.js';
import { formatValue, isGoMap, isStruct, isTrue, typeName } from './values.js';

/** No final value: the first command of a pipeline. */
const missing = Symbol('missing');
type Final = unknown;

class BreakSignal {}
class ContinueSignal {}

interface Variable {
  name: string;
  value: unknown;
}

/** Executes a parsed template as Go's text/template does (text/template/exec.go), writing to `out`. */
export function execute(tree: Tree, data: unknown, functions: FunctionMap, out: string[] = []): string {
  const variables: Variable[] = [{ name: '$', value: data }];
  let current: { pos: number; text: string } | undefined;

  const at = (pos: number, text: string) => {
    current = { pos, text };
  };
  const fail = (message: string): never => {
    if (!current) throw new TemplateError(`template: ${tree.name}: ${message}`);
    const before = tree.source.slice(0, current.pos);
    const newline = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const column = newline === -1 ? current.pos : current.pos - newline - 1;
    const context = current.text.length > 20 ? `${current.text.slice(0, 20)}...` : current.text;
    throw new TemplateError(`template: ${tree.name}:${line}:${column}: executing ${JSON.stringify(tree.name)} at <${context}>: ${message}`);
  };
  const atArgument = (argument: Argument) => at(argument.pos, describeArgument(argument));

  const lookupVariable = (name: string): unknown => {
    for (let index = variables.length - 1; index >= 0; index -= 1) if (variables[index]!.name === name) return variables[index]!.value;
    return fail(`undefined variable: ${name}`);
  };
  const setVariable = (name: string, value: unknown) => {
    for (let index = variables.length - 1; index >= 0; index -= 1) {
      if (variables[index]!.name === name) {
        variables[index]!.value = value;
        return;
      }
    }
  };

  const notAFunction = (args: readonly Argument[], final: Final) => {
    if (args.length > 1 || final !== missing) fail(`can't give argument to non-function ${describeArgument(args[0]!)}`);
  };

  const convert = (value: unknown, kind: ParameterKind): unknown => {
    if (kind === 'any') return value;
    const expected = kind === 'strings' ? '[]string' : kind;
    if (value === undefined) return fail(`invalid value; expected ${expected}`);
    const ok =
      kind === 'string' ? typeof value === 'string' : kind === 'int' ? typeof value === 'number' && Number.isInteger(value) : Array.isArray(value) && value.every((item) => typeof item === 'string');
    if (!ok) fail(`wrong type for value; expected ${expected}; got ${typeName(value)}`);
    return value;
  };

  function evalArgument(dot: unknown, argument: Argument): unknown {
    atArgument(argument);
    switch (argument.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
      case 'number':
      case 'string':
        return argument.value;
      case 'field':
        return evalFieldChain(dot, dot, argument, argument.idents, [argument], missing);
      case 'variable':
        return evalVariable(argument, [argument], missing);
      case 'pipe':
        return evalPipeline(dot, argument.pipe);
      case 'identifier':
        return evalFunction(dot, argument, { pos: argument.pos, args: [argument] }, missing);
      case 'chain':
        return evalChain(dot, argument, [argument], missing);
    }
  }

  function evalCall(dot: unknown, name: string, fn: { params: readonly ParameterKind[]; variadic?: ParameterKind; call: (...args: unknown[]) => unknown }, node: { pos: number; text: string }, args: readonly Argument[], final: Final, receiver?: unknown): unknown {
    const given = args.slice(1);
    const count = given.length + (final === missing ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic ? count < fixed : count !== fixed) fail(`wrong number of args for ${name}: want ${fn.variadic ? 'at least ' : ''}${fixed} got ${count}`);
    const kindAt = (index: number) => fn.params[index] ?? fn.variadic ?? 'any';
    const values = given.map((argument, index) => convert(evalArgument(dot, argument), kindAt(index)));
    if (final !== missing) values.push(convert(final, kindAt(values.length)));
    try {
      return fn.call.apply(receiver, values);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      at(node.pos, node.text);
      return fail(`error calling ${name}: ${(error as Error).message}`);
    }
  }

  function evalFunction(dot: unknown, identifier: Extract<Argument, { kind: 'identifier' }>, command: Command, final: Final): unknown {
    atArgument(identifier);
    const fn = functions[identifier.name];
    if (!fn) return fail(`${JSON.stringify(identifier.name)} is not a defined function`);
    if (fn.lazy) {
      const given = command.args.slice(1);
      const count = given.length + (final === missing ? 0 : 1);
      if (count < 1) fail(`wrong number of args for ${identifier.name}: want at least 1 got 0`);
      let value: unknown;
      for (const argument of given) {
        value = evalArgument(dot, argument);
        if (isTrue(value) !== (fn.lazy === 'and')) return value;
      }
      return final === missing ? value : final;
    }
    return evalCall(dot, identifier.name, fn, { pos: command.pos, text: describeCommand(command) }, command.args, final);
  }

  /** `.Field` of `receiver`: a method call (function-valued field), a map key, or a struct field. */
  function evalField(dot: unknown, name: string, node: Argument, args: readonly Argument[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined || receiver === null) return undefined;
    const hasArgs = args.length > 1 || final !== missing;
    if (typeof receiver === 'object' && !Array.isArray(receiver)) {
      const record = receiver as Record<string, unknown>;
      const own = Object.hasOwn(record, name);
      const value = own ? record[name] : undefined;
      if (typeof value === 'function') {
        const method = value as (...values: unknown[]) => unknown;
        const params = Array.from({ length: method.length }, () => 'any' as const);
        return evalCall(dot, name, { params, call: method }, { pos: node.pos, text: describeArgument(node) }, args, final, receiver);
      }
      if (isGoMap(record)) {
        if (hasArgs) fail(`${name} is not a method but has arguments`);
        return value;
      }
      if (own && isStruct(record)) {
        if (hasArgs) fail(`${name} has arguments but cannot be invoked as function`);
        return value;
      }
    }
    return fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  function evalFieldChain(dot: unknown, receiver: unknown, node: Argument, idents: readonly string[], args: readonly Argument[], final: Final): unknown {
    let value = receiver;
    for (const [index, ident] of idents.entries()) {
      atArgument(node);
      const last = index === idents.length - 1;
      value = evalField(dot, ident, node, last ? args : [], last ? final : missing, value);
    }
    return value;
  }

  function evalVariable(variable: Extract<Argument, { kind: 'variable' }>, args: readonly Argument[], final: Final): unknown {
    atArgument(variable);
    const value = lookupVariable(variable.name);
    if (variable.idents.length === 0) {
      notAFunction(args, final);
      return value;
    }
    return evalFieldChain(undefined, value, variable, variable.idents, args, final);
  }

  function evalChain(dot: unknown, chain: Extract<Argument, { kind: 'chain' }>, args: readonly Argument[], final: Final): unknown {
    atArgument(chain);
    const receiver = evalArgument(dot, chain.node);
    return evalFieldChain(dot, receiver, chain, chain.idents, args, final);
  }

  function evalCommand(dot: unknown, command: Command, final: Final): unknown {
    const first = command.args[0]!;
    switch (first.kind) {
      case 'field':
        atArgument(first);
        return evalFieldChain(dot, dot, first, first.idents, command.args, final);
      case 'chain':
        return evalChain(dot, first, command.args, final);
      case 'identifier':
        return evalFunction(dot, first, command, final);
      case 'pipe':
        atArgument(first);
        notAFunction(command.args, final);
        return evalPipeline(dot, first.pipe);
      case 'variable':
        return evalVariable(first, command.args, final);
      default:
        atArgument(first);
        notAFunction(command.args, final);
        if (first.kind === 'nil') fail('nil is not a command');
        return evalArgument(dot, first);
    }
  }

  function evalPipeline(dot: unknown, pipe: Pipeline, declare = true): unknown {
    let value: unknown = missing;
    for (const command of pipe.commands) value = evalCommand(dot, command, value);
    if (declare) {
      for (const name of pipe.decl) {
        if (pipe.assign) setVariable(name, value);
        else variables.push({ name, value });
      }
    }
    return value;
  }

  function walkList(dot: unknown, nodes: readonly Node[]) {
    for (const node of nodes) walk(dot, node);
  }

  function walkRange(dot: unknown, node: Extract<Node, { pipe: Pipeline; list: Node[] }>) {
    at(node.pos, describeNode(node));
    const mark = variables.length;
    const value = evalPipeline(dot, node.pipe, false);
    let entries: [unknown, unknown][];
    if (value === undefined || value === null) entries = [];
    else if (Array.isArray(value)) entries = value.map((item, index) => [index, item]);
    else if (isGoMap(value)) entries = Object.keys(value).sort().map((key) => [key, value[key]]);
    else if (typeof value === 'number' && Number.isInteger(value)) {
      if (node.pipe.decl.length > 1) fail(`can't use ${value} to iterate over more than one variable`);
      entries = Array.from({ length: Math.max(value, 0) }, (_, index) => [index, index]);
    } else return fail(`range can't iterate over ${formatValue(value)}`);
    if (entries.length === 0) {
      variables.length = mark;
      if (node.elseList) walkList(dot, node.elseList);
      return;
    }
    for (const [key, item] of entries) {
      variables.length = mark;
      if (node.pipe.decl.length === 1) {
        if (node.pipe.assign) setVariable(node.pipe.decl[0]!, item);
        else variables.push({ name: node.pipe.decl[0]!, value: item });
      } else if (node.pipe.decl.length === 2) {
        if (node.pipe.assign) {
          setVariable(node.pipe.decl[0]!, key);
          setVariable(node.pipe.decl[1]!, item);
        } else variables.push({ name: node.pipe.decl[0]!, value: key }, { name: node.pipe.decl[1]!, value: item });
      }
      try {
        walkList(item, node.list);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      }
    }
    variables.length = mark;
  }

  function walk(dot: unknown, node: Node): void {
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        return;
      case 'action': {
        const value = evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) out.push(formatValue(value));
        return;
      }
      case 'if':
      case 'with': {
        const mark = variables.length;
        const value = evalPipeline(dot, node.pipe);
        if (isTrue(value)) walkList(node.kind === 'with' ? value : dot, node.list);
        else if (node.elseList) walkList(dot, node.elseList);
        variables.length = mark;
        return;
      }
      case 'range':
        walkRange(dot, node);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  walkList(data, tree.root);
  return out.join('');
}
