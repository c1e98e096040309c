import { describe, expect, it } from 'vitest';
import { formatEach, goMap, goType, renderTemplate } from './go-template.js';
import { sprintf } from './template/printf.js';

const labels = goMap({ 'com.example.team': 'web', tier: 'front' }, '');
const document = goType(
  {
    Id: 'abc',
    Name: '/web',
    State: goType({ Status: 'exited', ExitCode: 7, OOMKilled: false, Running: false, Error: '', Pid: 0 }, '*types.ContainerState'),
    Args: ['-c', 'true'],
    Empty: [] as string[],
    Config: { Env: ['A=1', 'B=2'], Labels: labels, Cmd: null },
    Mounts: [
      { Type: 'bind', Source: '/srv', Destination: '/data' },
      { Type: 'tmpfs', Source: '', Destination: '/tmp' },
    ],
    Ratio: 0.25,
    Label: (key: string) => labels[key as keyof typeof labels] ?? '',
  },
  'types.ContainerJSON',
);

describe('Go text/template semantics', () => {
  it.each([
    // fields, nested fields, dot, missing map keys
    ['{{.State.ExitCode}}', '7'],
    ['{{ .State.Status }} {{.State.OOMKilled}}', 'exited false'],
    ['{{.Args}}', '[-c true]'],
    ['{{.Config.Labels}}', 'map[com.example.team:web tier:front]'],
    ['{{.Config.Labels.tier}}', 'front'],
    ['{{.Config.Labels.nope}}', '<no value>'],
    ['{{.Config.Cmd}}', '<nil>'],
    ['{{.Ratio}}', '0.25'],
    ['{{with .State}}{{.Status}}{{end}}', 'exited'],
    ['{{.}}', '{abc /web {exited 7 false false  0} [-c true] [] {[A=1 B=2] map[com.example.team:web tier:front] <nil>} [{bind /srv /data} {tmpfs  /tmp}] 0.25}'],
    // text, escapes are not the template's business outside lists, comments, trimming
    ['id={{.Id}}\\n', 'id=abc\\n'],
    ['a  {{- .Id -}}  b', 'aabcb'],
    ['a {{/* a comment */}}b', 'a b'],
    ['a  {{- /* trimmed */ -}}  b', 'ab'],
    ['{{-3}}', '-3'],
    ['plain text }}', 'plain text }}'],
    ['{{"}}"}}', '}}'],
    // range over slices, maps (sorted keys), with else, break and continue, over an int
    ['{{range .Args}}[{{.}}]{{end}}', '[-c][true]'],
    ['{{range $i, $e := .Args}}{{$i}}={{$e}} {{end}}', '0=-c 1=true '],
    ['{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}};{{end}}', 'com.example.team:web;tier:front;'],
    ['{{range .Config.Labels}}{{.}},{{end}}', 'web,front,'],
    ['{{range .Empty}}x{{else}}none{{end}}', 'none'],
    ['{{range .Mounts}}{{.Destination}} {{end}}', '/data /tmp '],
    ['{{range .Config.Env}}{{if eq . "B=2"}}{{break}}{{end}}{{.}}{{end}}', 'A=1'],
    ['{{range .Config.Env}}{{if eq . "A=1"}}{{continue}}{{end}}{{.}}{{end}}', 'B=2'],
    ['{{range 3}}{{.}}{{end}}', '012'],
    ['{{range .Config.Labels.nope}}x{{else}}no value{{end}}', 'no value'],
    // if / else if / else, Go's truth
    ['{{if .State.Running}}up{{else if .State.ExitCode}}code {{.State.ExitCode}}{{else}}clean{{end}}', 'code 7'],
    ['{{if .Empty}}y{{else}}n{{end}}{{if .State.Error}}y{{else}}n{{end}}{{if .State.Pid}}y{{else}}n{{end}}{{if .Config.Cmd}}y{{else}}n{{end}}{{if .State}}y{{end}}', 'nnnny'],
    ['{{with .State.Error}}set{{else}}empty{{end}}', 'empty'],
    ['{{with $x := .Id}}{{$x}}{{end}}', 'abc'],
    // variables: declare, assign, $ root inside range
    ['{{$x := .Id}}{{$x}}-{{$x = "new"}}{{$x}}', 'abc-new'],
    ['{{range .Args}}{{$.Id}}{{end}}', 'abcabc'],
    ['{{$n := len .Args}}{{$n}}', '2'],
    // pipelines and parenthesized pipelines, chained fields
    ['{{.Name | upper}}', '/WEB'],
    ['{{.Id | printf "%s-%s" "x"}}', 'x-abc'],
    ['{{(index .Mounts 1).Type}}', 'tmpfs'],
    ['{{index .Config.Labels "tier"}}|{{index .Config.Labels "nope"}}|', 'front||'],
    ['{{index .Args 1}}', 'true'],
    ['{{slice .Id 1 2}}', 'b'],
    // comparisons, logic
    ['{{eq .State.ExitCode 7}} {{ne .Id "abc"}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', 'true false true true true false'],
    ['{{eq .Id "x" "y" "abc"}}', 'true'],
    ['{{eq .Config.Labels.nope "x"}}', 'false'],
    ['{{and 1 0 "x"}} {{and 1 "x"}} {{or 0 "" "z"}} {{or 0 ""}} {{not .Empty}}', '0 x z  true'],
    ['{{if and .Id (not .State.Running)}}stopped{{end}}', 'stopped'],
    // print, println, printf, len
    ['{{print 1 2 "a" 3 "b"}}', '1 2a3b'],
    ['{{println .Id 1}}', 'abc 1\n'],
    ['{{printf "%5s|%-5s|%05d|%x|%X|%q|%t|%v|%.2f|%3d%%" "a" "b" 42 "hi" 255 "q\\"" true .Args 3.14159 7}}', '    a|b    |00042|6869|FF|"q\\""|true|[-c true]|3.14|  7%'],
    ['{{len .Id}} {{len .Args}} {{len .Config.Labels}}', '3 2 2'],
    // the docker CLI's functions
    ['{{json .State}}', '{"Status":"exited","ExitCode":7,"OOMKilled":false,"Running":false,"Error":"","Pid":0}'],
    ['{{json .Config.Labels}}', '{"com.example.team":"web","tier":"front"}'],
    ['{{json .Args}} {{json "<&>"}} {{json .Config.Labels.nope}}', '["-c","true"] "<&>" null'],
    ['{{join .Args ","}}', '-c,true'],
    ['{{split "a:b:c" ":"}} {{index (split "a:b" ":") 1}}', '[a b c] b'],
    ['{{lower "ABC"}} {{upper "abc"}} {{title "hello wide world"}}', 'abc ABC Hello Wide World'],
    ['[{{pad "x" 2 1}}][{{pad "" 2 1}}] {{truncate "abcdef" 3}} {{truncate "ab" 3}}', '[  x ][] abc ab'],
    // method-like fields with arguments
    ['{{.Label "tier"}}|{{.Label "none"}}', 'front|'],
  ])('%s', (template, expected) => {
    expect(renderTemplate(template, document)).toBe(expected);
  });

  it.each([
    // parse errors: before anything runs
    ['{{.Id', 'template: :1: unclosed action'],
    ['{{}}', 'template: :1: missing value for command'],
    ['{{nope .Id}}', 'template: :1: function "nope" not defined'],
    ['{{if .Id}}x', 'template: :1: unexpected EOF'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{else}}', 'template: :1: unexpected {{else}}'],
    ['{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{range .Args}}{{$e := .}}{{end}}{{$e}}', 'template: :1: undefined variable "$e"'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{/* open', 'template: :1: unclosed comment'],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{.Id | "x"}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{(.Id}}', 'template: :1: unclosed left paren'],
    ['a\n{{.Id ^}}', "template: :2: unrecognized character in action: U+005E '^'"],
    ['{{3x}}', 'template: :1: bad number syntax: "3x"'],
    // execution errors, in Go's words: where, at which node
    ['{{.Nope}}', 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type types.ContainerJSON'],
    ['{{.State.Nope}}', 'template: :1:2: executing "" at <.State.Nope>: can\'t evaluate field Nope in type *types.ContainerState'],
    ['x\n  {{.Id.Sub}}', 'template: :2:4: executing "" at <.Id.Sub>: can\'t evaluate field Sub in type string'],
    ['{{index .Args 5}}', 'template: :1:2: executing "" at <index .Args 5>: error calling index: index out of range: 5'],
    ['{{len 3}}', 'template: :1:2: executing "" at <len 3>: error calling len: len of type int'],
    ['{{lt .Id 1}}', 'template: :1:2: executing "" at <lt .Id 1>: error calling lt: incompatible types for comparison'],
    ['{{eq .Id 1}}', 'template: :1:2: executing "" at <eq .Id 1>: error calling eq: incompatible types for comparison'],
    ['{{join .Id ","}}', 'template: :1:7: executing "" at <.Id>: wrong type for value; expected []string; got string'],
    ['{{join .Args}}', 'template: :1:2: executing "" at <join>: wrong number of args for join: want 2 got 1'],
    ['{{upper 3}}', 'template: :1:8: executing "" at <3>: wrong type for value; expected string; got int'],
    ['{{range .State}}{{end}}', 'template: :1:8: executing "" at <.State>: range can\'t iterate over {exited 7 false false  0}'],
    ['{{.Id 1}}', 'template: :1:2: executing "" at <.Id>: Id has arguments but cannot be invoked as function'],
    ['{{.Label}}', 'template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0'],
    ['{{"x" 1}}', 'template: :1:2: executing "" at <"x">: can\'t give argument to non-function "x"'],
  ])('%s is an error naming the template (125)', (template, problem) => {
    expect(() => renderTemplate(template, document)).toThrow(`invalid template ${JSON.stringify(template)} for flag --format: ${problem}`);
    expect(() => renderTemplate(template, document)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('printf (Go verbs)', () => {
  it.each([
    ['%s', ['x'], 'x'],
    ['%d', [42], '42'],
    ['%+d', [42], '+42'],
    ['%6.2f', [3.14159], '  3.14'],
    ['%-4d|', [7], '7   |'],
    ['%q', ['a\tb'], '"a\\tb"'],
    ['%x', [255], 'ff'],
    ['%#x', [255], '0xff'],
    ['%v %v', [true, null], 'true <nil>'],
    ['%d', ['x'], '%!d(string=x)'],
    ['%s %s', ['x'], 'x %!s(MISSING)'],
    ['%s', ['x', 1], 'x%!(EXTRA int=1)'],
    ['%.3s', ['abcdef'], 'abc'],
    ['%e', [1234.5], '1.234500e+03'],
    ['100%%', [], '100%'],
  ])('%s %j', (format, args, expected) => {
    expect(sprintf(format, args)).toBe(expected);
  });
});

describe('formatEach (lists: ps, images, stats)', () => {
  const headers = { ID: 'CONTAINER ID', Status: 'STATUS', Names: 'NAMES' };
  const rows = [
    goType({ ID: '0123456789ab', Names: 'web', Status: 'Up 2 seconds' }, '*formatter.ContainerContext'),
    goType({ ID: 'fedcba987654', Names: 'db', Status: 'Exited (0) 1 second ago' }, '*formatter.ContainerContext'),
  ];

  it('prints one line per item: json is {{json .}}, a template, the \\t and \\n escapes', () => {
    expect(formatEach('{{.Names}}:{{.Status}}', rows, { headers })).toBe('web:Up 2 seconds\ndb:Exited (0) 1 second ago\n');
    expect(formatEach('json', rows.slice(0, 1), { headers })).toBe('{"ID":"0123456789ab","Names":"web","Status":"Up 2 seconds"}\n');
    expect(formatEach('{{json .}}', rows.slice(0, 1), { headers })).toBe('{"ID":"0123456789ab","Names":"web","Status":"Up 2 seconds"}\n');
    expect(formatEach('{{.Names}}\\t{{.ID}}\\n', rows.slice(1), { headers })).toBe('db\tfedcba987654\n\n');
    expect(formatEach('yaml', rows, { headers })).toBe('yaml\nyaml\n');
  });

  it("aligns Docker's table format under a header as Go's tabwriter does (min width 10, padding 3)", () => {
    expect(formatEach('table {{.ID}}\\t{{.Names}}\\t{{.Status}}', rows, { headers })).toBe(
      ['CONTAINER ID   NAMES     STATUS', '0123456789ab   web       Up 2 seconds', 'fedcba987654   db        Exited (0) 1 second ago', ''].join('\n'),
    );
    expect(formatEach('table {{.Names | upper}}\\t{{json .ID}}', rows.slice(0, 1), { headers })).toBe('NAMES     CONTAINER ID\nWEB       "0123456789ab"\n');
    expect(formatEach('table {{.Names}}', [], { headers })).toBe('NAMES\n');
  });

  it.each([
    ['{{.Names', 'template: :1: unclosed action'],
    ['table {{range .}}', 'template: :1: unexpected EOF'],
    ['{{upper}}', ''],
  ])('rejects %s before printing anything, even with no items', (format, problem) => {
    if (problem === '') expect(formatEach(format, [], { headers })).toBe('');
    else expect(() => formatEach(format, [], { headers })).toThrow(`invalid template ${JSON.stringify(format)} for flag --format: ${problem}`);
  });

  it('fails on a field the rows lack, in Go words, printing nothing', () => {
    expect(() => formatEach('{{.Names}} {{.Nope}}', rows, { headers })).toThrow(
      'invalid template "{{.Names}} {{.Nope}}" for flag --format: template: :1:13: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext',
    );
  });
});
