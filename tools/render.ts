// Block Kit and mrkdwn as readable terminal text: what the demo prints for each message and modal the
// fake Slack received. Pure: no clock, no environment, no I/O. Colour (ANSI) only when asked for.

export interface RenderOptions {
  /** Columns available, frame included. */
  width?: number;
  /** ANSI colours and styles; plain text when false. */
  color?: boolean;
  /** Display names for user ids, so `<@U123>` reads `@Dana`. */
  names?: Readonly<Record<string, string>>;
}

type Style =
  | 'bold'
  | 'italic'
  | 'strike'
  | 'code'
  | 'dim'
  | 'link'
  | 'quote'
  | 'title'
  | 'primary'
  | 'danger';

const SGR: Record<Style, string> = {
  bold: '1',
  italic: '3',
  strike: '9',
  code: '36',
  dim: '2',
  link: '4;34',
  quote: '2',
  title: '1;4',
  primary: '1;32',
  danger: '1;31',
};

interface Run {
  text: string;
  styles: readonly Style[];
}

interface Ctx {
  width: number;
  color: boolean;
  names: Readonly<Record<string, string>>;
}

const DEFAULT_WIDTH = 80;

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔',
  x: '❌',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  white_circle: '⚪',
  palm_tree: '🌴',
  speech_balloon: '💬',
  seedling: '🌱',
  warning: '⚠️',
  wave: '👋',
  tada: '🎉',
  bulb: '💡',
  lock: '🔒',
  bell: '🔔',
  memo: '📝',
  hourglass: '⏳',
  information_source: 'ℹ️',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
};

const ESC = '\u001b';
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

/** Terminal columns a string takes: ANSI codes take none, emoji two, combining marks none. */
export function visibleWidth(s: string): number {
  let w = 0;
  for (const ch of s.replace(ANSI, '')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0xfe0f || cp === 0x200d || (cp >= 0x300 && cp <= 0x36f)) continue;
    if (cp >= 0x1f000 || cp === 0x2705 || cp === 0x274c || cp === 0x23f3 || cp === 0x2b50) w += 2;
    else w += 1;
  }
  return w;
}

/** Removes ANSI codes (for tests and for measuring). */
export const stripAnsi = (s: string): string => s.replace(ANSI, '');

const paint = (ctx: Ctx, text: string, styles: readonly Style[]): string => {
  if (!ctx.color || styles.length === 0 || text === '') return text;
  return `\x1b[${styles.map((s) => SGR[s]).join(';')}m${text}\x1b[0m`;
};

const decodeEntities = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const emojify = (s: string): string => s.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);

/** `<…>` entities: mentions, user groups, channels, special mentions, dates and links. */
function entity(inner: string, ctx: Ctx): Run {
  const [target = '', label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return { text: `@${ctx.names[id] ?? label ?? id}`, styles: ['bold'] };
  }
  if (target.startsWith('#')) return { text: `#${label ?? target.slice(1)}`, styles: ['link'] };
  if (target.startsWith('!subteam^')) return { text: label ?? '@group', styles: ['bold'] };
  if (target.startsWith('!date^')) return { text: label ?? target, styles: [] };
  if (target.startsWith('!')) return { text: `@${target.slice(1)}`, styles: ['bold'] };
  if (label !== undefined) return { text: `${label} (${target})`, styles: ['link'] };
  return { text: target, styles: ['link'] };
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

const MARKERS: Record<string, Style> = { '*': 'bold', _: 'italic', '~': 'strike', '`': 'code' };
const BOUNDARY = /[\s.,;:!?()[\]{}'"“”‘’/-]/;

/** Where the span opened by the marker at `i` closes, or -1 when it is not a span (Slack's rules, roughly). */
function closing(text: string, i: number): number {
  const m = text[i] ?? '';
  const before = text[i - 1];
  const after = text[i + 1];
  if (before !== undefined && !BOUNDARY.test(before)) return -1;
  if (after === undefined || /\s/.test(after) || after === m) return -1;
  for (let j = i + 2; j < text.length; j++) {
    if (text[j] !== m) continue;
    const prev = text[j - 1] ?? '';
    const next = text[j + 1];
    if (/\s/.test(prev)) continue;
    if (next !== undefined && !BOUNDARY.test(next) && next !== '*' && next !== '_') continue;
    return j;
  }
  return -1;
}

/** One line of mrkdwn (no code blocks) as styled runs. */
function inline(text: string, ctx: Ctx, styles: readonly Style[] = []): Run[] {
  const runs: Run[] = [];
  let plain = '';
  const flush = () => {
    if (plain) runs.push({ text: emojify(decodeEntities(plain)), styles });
    plain = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '<') {
      const end = text.indexOf('>', i + 1);
      if (end > i) {
        flush();
        const r = entity(text.slice(i + 1, end), ctx);
        runs.push({ text: decodeEntities(r.text), styles: [...styles, ...r.styles] });
        i = end;
        continue;
      }
    }
    const style = MARKERS[ch];
    if (style) {
      const end = closing(text, i);
      if (end > i) {
        flush();
        const inner = text.slice(i + 1, end);
        if (style === 'code') runs.push({ text: decodeEntities(inner), styles: [...styles, 'code'] });
        else runs.push(...inline(inner, ctx, [...styles, style]));
        i = end;
        continue;
      }
    }
    plain += ch;
  }
  flush();
  return runs;
}

interface Word {
  parts: Run[];
  width: number;
  /** Spaces before it in the text (kept as typed, except at the start of a wrapped line). */
  gap: number;
}

/** Splits runs into words, keeping each piece's styles and how many spaces came before it. */
function words(runs: readonly Run[]): Word[] {
  const out: Word[] = [];
  let current: Word | null = null;
  let gap = 0;
  for (const run of runs) {
    const pieces = run.text.split(/( +)/);
    for (const piece of pieces) {
      if (piece === '') continue;
      if (/^ +$/.test(piece)) {
        current = null;
        gap += piece.length;
        continue;
      }
      if (!current) {
        current = { parts: [], width: 0, gap };
        gap = 0;
        out.push(current);
      }
      current.parts.push({ text: piece, styles: run.styles });
      current.width += visibleWidth(piece);
    }
  }
  return out;
}

/** Cuts a word wider than the line into pieces that fit. */
function hardBreak(word: Word, width: number): Word[] {
  const out: Word[] = [];
  let cur: Word = { parts: [], width: 0, gap: word.gap };
  for (const part of word.parts) {
    for (const ch of part.text) {
      const w = visibleWidth(ch);
      if (cur.width + w > width && cur.width > 0) {
        out.push(cur);
        cur = { parts: [], width: 0, gap: 0 };
      }
      const last = cur.parts.at(-1);
      if (last && last.styles === part.styles) last.text += ch;
      else cur.parts.push({ text: ch, styles: part.styles });
      cur.width += w;
    }
  }
  if (cur.width > 0) out.push(cur);
  return out;
}

/** A preformatted line cut into pieces of at most `width` columns. */
function cut(line: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of line) {
    if (visibleWidth(cur + ch) > width) {
      out.push(cur);
      cur = '';
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

const sameStyles = (a: readonly Style[], b: readonly Style[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/** A line's pieces painted, neighbours with the same styles in one stretch (spaces inside included). */
function paintLine(parts: readonly Run[], ctx: Ctx): string {
  const merged: Run[] = [];
  for (const p of parts) {
    const last = merged.at(-1);
    if (last && sameStyles(last.styles, p.styles))
      merged[merged.length - 1] = { ...last, text: last.text + p.text };
    else merged.push(p);
  }
  return merged.map((p) => paint(ctx, p.text, p.styles)).join('');
}

/** Fills lines of at most `width` columns with the runs, word by word; `hang` starts wrapped lines. */
function wrap(runs: readonly Run[], width: number, ctx: Ctx, hang = ''): string[] {
  const lines: string[] = [];
  let parts: Run[] = [];
  let used = 0;
  const hangWidth = visibleWidth(hang);
  const flush = () => {
    lines.push(paintLine(parts, ctx));
    parts = [];
    used = 0;
  };
  for (const original of words(runs)) {
    const room = Math.max(1, width - (lines.length === 0 ? 0 : hangWidth));
    const pieces = original.width > room ? hardBreak(original, room) : [original];
    for (const word of pieces) {
      const limit = lines.length === 0 ? width : width - hangWidth;
      const gap = Math.max(1, word.gap);
      if (used > 0 && used + gap + word.width > limit) flush();
      const first = word.parts[0];
      if (used > 0) {
        // Spaces between two words of the same style take that style (an underline runs on).
        const prev = parts.at(-1);
        const styles = prev && first && sameStyles(prev.styles, first.styles) ? prev.styles : [];
        parts.push({ text: ' '.repeat(gap), styles });
        used += gap;
      } else if (lines.length > 0 && hang) {
        parts.push({ text: hang, styles: [] });
      }
      parts.push(...word.parts);
      used += word.width;
    }
  }
  if (parts.length > 0 || lines.length === 0) flush();
  return lines;
}

/** mrkdwn text as terminal lines of at most `width` columns. */
function mrkdwnLines(text: string, width: number, ctx: Ctx, extra: readonly Style[] = []): string[] {
  const out: string[] = [];
  // Code blocks first: their content is shown as typed, never wrapped into prose.
  const parts = text.split('```');
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      // Preformatted: spaces kept, long lines cut into pieces rather than reflowed.
      for (const l of part.replace(/^\n/, '').replace(/\n$/, '').split('\n')) {
        for (const x of cut(decodeEntities(l), Math.max(1, width - 2)))
          out.push(`  ${paint(ctx, x, ['code'])}`);
      }
      return;
    }
    const lines = part.split('\n');
    // A code block glued to the text around it starts on its own line.
    if (i > 0 && lines[0] === '') lines.shift();
    if (i < parts.length - 1 && lines.at(-1) === '') lines.pop();
    for (const l of lines) {
      const quote = /^(?:>|&gt;) ?(.*)$/.exec(l);
      if (quote) {
        const bar = paint(ctx, '▎ ', ['dim']);
        for (const x of wrap(inline(quote[1] ?? '', ctx, [...extra, 'italic']), width - 2, ctx)) {
          out.push(`${bar}${x}`);
        }
        continue;
      }
      // Indented lines stay indented when they wrap; a bullet's text hangs under its first word.
      const indent = /^ */.exec(l)?.[0] ?? '';
      const bullet = /^ *[•◦▪-] /.test(l) ? '  ' : '';
      const lines = wrap(inline(l.slice(indent.length), ctx, extra), width - indent.length, ctx, bullet);
      for (const x of lines) out.push(`${indent}${x}`);
    }
  });
  return out;
}

const textOf = (t: unknown): string => {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') {
    return (t as { text: string }).text;
  }
  return '';
};

const isMrkdwn = (t: unknown): boolean =>
  !!t && typeof t === 'object' && (t as { type?: unknown }).type === 'mrkdwn';

/** A text object (plain_text or mrkdwn) as lines. */
function textLines(t: unknown, width: number, ctx: Ctx, extra: readonly Style[] = []): string[] {
  const raw = textOf(t);
  if (isMrkdwn(t)) return mrkdwnLines(raw, width, ctx, extra);
  return raw.split('\n').flatMap((l) => wrap([{ text: emojify(l), styles: extra }], width, ctx));
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** An interactive element as a one-line control, e.g. `[ Start the check-in ]`. */
function control(el: Obj, ctx: Ctx): string {
  const type = String(el.type ?? '');
  const label = (t: unknown) => emojify(textOf(t));
  switch (type) {
    case 'button': {
      const style: Style[] = el.style === 'primary' ? ['primary'] : el.style === 'danger' ? ['danger'] : [];
      return paint(ctx, `[ ${label(el.text)} ]`, style.length > 0 ? style : ['bold']);
    }
    case 'static_select':
    case 'external_select': {
      const chosen = label(obj(el.initial_option).text) || label(el.placeholder) || 'Choose';
      return `[ ${chosen} ▾ ]`;
    }
    case 'users_select':
      return `[ ${el.initial_user ? `@${ctx.names[String(el.initial_user)] ?? String(el.initial_user)}` : label(el.placeholder) || 'Pick a person'} ▾ ]`;
    case 'multi_users_select': {
      const users = arr(el.initial_users).map((u) => `@${ctx.names[String(u)] ?? String(u)}`);
      return `[ ${users.length > 0 ? users.join(', ') : label(el.placeholder) || 'Pick people'} ▾ ]`;
    }
    case 'conversations_select':
    case 'channels_select':
      return `[ ${label(el.placeholder) || 'Pick a conversation'} ▾ ]`;
    case 'timepicker':
      return `[ ${String(el.initial_time ?? '--:--')} 🕒 ]`;
    case 'datepicker':
      return `[ ${String(el.initial_date ?? 'yyyy-mm-dd')} 📅 ]`;
    case 'overflow':
      return '[ ⋯ ]';
    default:
      return `[ ${type || 'element'} ]`;
  }
}

/** The element of an input block, as the lines a person fills in. */
function inputElement(el: Obj, width: number, ctx: Ctx): string[] {
  const type = String(el.type ?? '');
  if (type === 'radio_buttons' || type === 'checkboxes') {
    const initial = new Set(
      [el.initial_option, ...arr(el.initial_options)].map((o) => String(obj(o).value ?? '')).filter(Boolean),
    );
    return arr(el.options).flatMap((o) => {
      const option = obj(o);
      const on = initial.has(String(option.value ?? ''));
      const mark = type === 'radio_buttons' ? (on ? '◉' : '○') : on ? '☑' : '☐';
      return wrap([{ text: emojify(textOf(option.text)), styles: [] }], width - 4, ctx).map(
        (l, i) => `${i === 0 ? `  ${mark} ` : '    '}${l}`,
      );
    });
  }
  if (type === 'plain_text_input') {
    const inner = Math.max(10, Math.min(width - 2, 60));
    const value = String(el.initial_value ?? '');
    const placeholder = textOf(el.placeholder);
    const shown = value || (placeholder ? paint(ctx, placeholder, ['dim']) : '');
    const pad = (s: string) => `${s}${' '.repeat(Math.max(0, inner - visibleWidth(s)))}`;
    const rows = el.multiline === true ? 3 : 1;
    const limit = typeof el.max_length === 'number' ? ` up to ${el.max_length} characters` : '';
    const lines = [`┌${'─'.repeat(inner)}┐`];
    for (let r = 0; r < rows; r++) lines.push(`│${pad(r === 0 ? shown : '')}│`);
    lines.push(`└${'─'.repeat(inner)}┘`);
    if (limit) lines.push(paint(ctx, limit.trim(), ['dim']));
    return lines;
  }
  return [control(el, ctx)];
}

/** One block as lines of at most `width` columns. */
export function blockLines(block: unknown, width: number, ctx: Ctx): string[] {
  const b = obj(block);
  switch (b.type) {
    case 'header': {
      const lines = textLines(b.text, width, ctx, ['title']);
      return ctx.color
        ? lines
        : [...lines, '═'.repeat(Math.min(width, Math.max(...lines.map(visibleWidth))))];
    }
    case 'section': {
      const lines = b.text ? textLines(b.text, width, ctx) : [];
      for (const f of arr(b.fields)) lines.push(...textLines(f, width, ctx));
      const accessory = obj(b.accessory);
      if (accessory.type) lines.push(control(accessory, ctx));
      return lines;
    }
    case 'context': {
      const texts = arr(b.elements).map((e) => {
        const el = obj(e);
        return el.type === 'image' ? `[${String(el.alt_text ?? 'image')}]` : textOf(el);
      });
      const joined = texts.join('  ');
      return isMrkdwn(arr(b.elements)[0])
        ? mrkdwnLines(joined, width, ctx, ['dim'])
        : textLines(joined, width, ctx, ['dim']);
    }
    case 'divider':
      return [paint(ctx, '─'.repeat(width), ['dim'])];
    case 'actions': {
      const controls = arr(b.elements).map((e) => control(obj(e), ctx));
      const lines: string[] = [];
      let line = '';
      for (const c of controls) {
        if (line && visibleWidth(line) + 2 + visibleWidth(c) > width) {
          lines.push(line);
          line = '';
        }
        line = line ? `${line}  ${c}` : c;
      }
      if (line) lines.push(line);
      return lines;
    }
    case 'input': {
      const optional = b.optional === true ? paint(ctx, ' (optional)', ['dim']) : '';
      const label = textLines(b.label, width, ctx, ['bold']);
      if (label.length > 0) label[label.length - 1] += optional;
      const hint = b.hint ? textLines(b.hint, width, ctx, ['dim']) : [];
      return [...label, ...inputElement(obj(b.element), width, ctx), ...hint];
    }
    case 'image':
      return [paint(ctx, `[image: ${String(b.alt_text ?? '')}]`, ['dim'])];
    default:
      return [paint(ctx, `[${String(b.type ?? 'unknown')} block]`, ['dim'])];
  }
}

const context = (o: RenderOptions): Ctx => ({
  width: o.width ?? DEFAULT_WIDTH,
  color: o.color ?? false,
  names: o.names ?? {},
});

/** Blocks as lines, a blank line between blocks as Slack leaves a gap. */
export function renderBlocks(blocks: readonly unknown[], options: RenderOptions = {}): string[] {
  const ctx = context(options);
  const out: string[] = [];
  for (const [i, block] of blocks.entries()) {
    const type = obj(block).type;
    const prev = obj(blocks[i - 1]).type;
    // Slack sets a context or actions row close to what it belongs to.
    if (i > 0 && !(type === 'context' && prev !== 'divider') && type !== 'actions') out.push('');
    out.push(...blockLines(block, ctx.width, ctx));
  }
  return out;
}

/** mrkdwn text (such as a message's fallback `text`) as terminal lines. */
export function renderMrkdwn(text: string, options: RenderOptions = {}): string[] {
  const ctx = context(options);
  return mrkdwnLines(text, ctx.width, ctx);
}

export interface MessageLike {
  text?: unknown;
  blocks?: unknown;
}

/**
 * A message as Slack shows it: its blocks (or, without blocks, its `text`), inside a frame whose
 * first line says where it appeared, e.g. `teamhealth → Dana (DM)`.
 */
export function renderMessage(message: MessageLike, title: string, options: RenderOptions = {}): string {
  const ctx = context(options);
  const inner = ctx.width - 2;
  const blocks = arr(message.blocks);
  const body =
    blocks.length > 0
      ? renderBlocks(blocks, { ...options, width: inner })
      : mrkdwnLines(textOf(message.text), inner, ctx);
  const bar = paint(ctx, '│', ['dim']);
  return [
    `${paint(ctx, '┌─', ['dim'])} ${paint(ctx, title, ['bold'])}`,
    ...body.map((l) => (l === '' ? bar : `${bar} ${l}`)),
    paint(ctx, '└─', ['dim']),
  ].join('\n');
}

/** A modal (a `views.open` view) with its title bar and its Cancel and Submit buttons. */
export function renderModal(view: unknown, options: RenderOptions = {}): string {
  const ctx = context(options);
  const v = obj(view);
  const inner = ctx.width - 2;
  const title = emojify(textOf(v.title)) || 'Modal';
  const bar = paint(ctx, '┃', ['dim']);
  const head = `${paint(ctx, '┏━', ['dim'])} ${paint(ctx, title, ['bold'])} ${paint(ctx, '━'.repeat(Math.max(3, inner - visibleWidth(title) - 2)), ['dim'])}`;
  const body = renderBlocks(arr(v.blocks), { ...options, width: inner });
  const buttons = [
    v.close ? paint(ctx, `[ ${textOf(v.close)} ]`, ['bold']) : '',
    v.submit ? paint(ctx, `[ ${textOf(v.submit)} ]`, ['primary']) : '',
  ].filter(Boolean);
  const footer = buttons.join('  ');
  const pad = ' '.repeat(Math.max(0, inner - visibleWidth(footer)));
  return [
    head,
    ...body.map((l) => (l === '' ? bar : `${bar} ${l}`)),
    bar,
    `${bar} ${pad}${footer}`,
    paint(ctx, `┗${'━'.repeat(inner + 1)}`, ['dim']),
  ].join('\n');
}
