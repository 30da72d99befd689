import { OPTIONS, readmeDefault } from './options.js';

export const START_MARKER = '<!-- options:start -->';
export const END_MARKER = '<!-- options:end -->';

/**
 * The options table of docs/options.md, from the table of options. Its links are relative to docs/;
 * `anchors` is put before each, for a page elsewhere (e.g. "docs/").
 */
export function optionsMarkdown(anchors = ''): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replace(/\]\((?![a-z]+:)/g, `](${anchors}`);
  const rows = OPTIONS.flatMap((option) =>
    option.readme
      ? [`| ${cell(option.readme.option)} | ${cell(readmeDefault(option))} | ${cell(option.readme.meaning)} |`]
      : [],
  );
  return ['| option | default | meaning |', '|---|---|---|', ...rows, '| `-h, --help`, `--version` | | |'].join('\n');
}

/** `text` with the table between its markers replaced; throws when the markers are missing. */
export function withOptionsTable(text: string, table: string, name: string): string {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  if (start === -1 || end < start) {
    throw new Error(`Failed to update ${name}: it lacks the markers ${START_MARKER} … ${END_MARKER}. Put them back.`);
  }
  return `${text.slice(0, start + START_MARKER.length)}\n\n${table}\n\n${text.slice(end)}`;
}

/** The table between the markers of `text`, or undefined when they are missing. */
export function tableIn(text: string): string | undefined {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  return start === -1 || end < start ? undefined : text.slice(start + START_MARKER.length, end).trim();
}
