import { describe, expect, it } from 'vitest';
import { formatEach, renderTemplate } from './go-template.js';

const document = { Id: 'abc', State: { Status: 'exited', ExitCode: 7, OOMKilled: false, Error: null }, Args: ['-c', 'true'], Config: { Env: ['A=1'] } };

describe('renderTemplate (the subset of Go templates docker --format scripts use)', () => {
  it.each([
    ['{{.State.ExitCode}}', '7'],
    ['{{ .State.Status }} {{.State.OOMKilled}}', 'exited false'],
    ['{{json .State}}', '{"Status":"exited","ExitCode":7,"OOMKilled":false,"Error":null}'],
    ['{{json .Args}}', '["-c","true"]'],
    ['{{.Args}}', '[-c true]'],
    ['{{.State.Error}}', '<no value>'],
    ['id={{.Id}}\\n', 'id=abc\n'],
    ['{{.Id}}\\t{{.State.ExitCode}}', 'abc\t7'],
    ['a  {{- .Id -}}  b', 'aabcb'],
    ['plain text', 'plain text'],
  ])('%s', (template, expected) => {
    expect(renderTemplate(template, document)).toBe(expected);
  });

  it.each([
    ['{{range .Args}}{{.}}{{end}}', '{{range}} is not supported'],
    ['{{index .Config.Env 0}}', '{{index}} is not supported'],
    ['{{if .Id}}x{{end}}', '{{if}} is not supported'],
    ['{{.Id', 'unclosed action "{{.Id"'],
    ['{{.Id}} }}', 'unexpected "}}" without "{{"'],
    ['{{}}', 'empty action {{}}'],
    ['{{.Nope}}', 'no field "Nope" in .Nope'],
    ['{{.State.Nope}}', 'no field "Nope" in .State.Nope'],
    ['{{.Id.Sub}}', 'no field "Sub" in .Id.Sub'],
    ['table {{.Id}}', 'a "table" format is for lists only'],
    ['{{"text"}}', 'unsupported action {{"text"}}'],
  ])('%s is an error naming the template', (template, problem) => {
    expect(() => renderTemplate(template, document)).toThrow(`invalid template ${JSON.stringify(template)} for flag --format: ${problem}`);
  });

  it('errors with code USAGE (exit 125)', () => {
    expect(() => renderTemplate('{{range .Args}}', document)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('formatEach (lists: ps, images, stats)', () => {
  const headers = { ID: 'CONTAINER ID', Status: 'STATUS', Names: 'NAMES' };
  const rows = [
    { ID: '0123456789ab', Status: 'Up 2 seconds', Names: 'web' },
    { ID: 'fedcba987654', Status: 'Exited (0) 1 second ago', Names: 'db' },
  ];

  it('prints one line per item, json or template', () => {
    expect(formatEach('{{.Names}}:{{.Status}}', rows, { headers })).toBe('web:Up 2 seconds\ndb:Exited (0) 1 second ago\n');
    expect(formatEach('json', rows.slice(0, 1), { headers })).toBe('{"ID":"0123456789ab","Status":"Up 2 seconds","Names":"web"}\n');
    expect(formatEach('{{.Names}}\\t{{.ID}}', rows.slice(1), { headers })).toBe('db\tfedcba987654\n');
  });

  it("aligns Docker's table format under a header from the field names", () => {
    expect(formatEach('table {{.ID}}\\t{{.Names}}\\t{{.Status}}', rows, { headers })).toBe(
      ['CONTAINER ID   NAMES   STATUS', '0123456789ab   web     Up 2 seconds', 'fedcba987654   db      Exited (0) 1 second ago', ''].join('\n'),
    );
    expect(formatEach('table {{.Names}}', [], { headers })).toBe('NAMES\n');
  });

  it.each([
    ['{{.Nope}}', 'no field "Nope" (fields: ID, Status, Names)'],
    ['table {{range .}}', '{{range}} is not supported'],
    ['{{.Names', 'unclosed action "{{.Names"'],
  ])('rejects %s before printing anything, even with no items', (format, problem) => {
    expect(() => formatEach(format, [], { headers })).toThrow(`invalid template ${JSON.stringify(format)} for flag --format: ${problem}`);
  });

  it('rejects a format that is neither json nor a template', () => {
    expect(() => formatEach('yaml', rows, { headers })).toThrow('invalid value "yaml" for flag --format');
  });
});
