// Slack rejects Block Kit over these documented limits (invalid_blocks / views errors) only at runtime,
// so tests check rendered surfaces against them. Sources: docs.slack.dev/reference/block-kit (blocks,
// block elements, composition objects) and /reference/views/modal-views.

export type Surface = 'message' | 'modal' | 'home';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };
const MAX_OPTIONS: Record<string, number> = {
  radio_buttons: 10,
  checkboxes: 10,
  overflow: 5,
  static_select: 100,
  multi_static_select: 100,
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** The string of a text object (or of a bare string). */
const textOf = (v: unknown): string | undefined => (isObj(v) ? str(v.text) : str(v));

class Checker {
  readonly problems: string[] = [];

  max(path: string, value: string | undefined, limit: number): void {
    if (value !== undefined && value.length > limit) {
      this.problems.push(`${path} is ${value.length} chars (max ${limit})`);
    }
  }

  count(path: string, value: unknown, limit: number): void {
    if (Array.isArray(value) && value.length > limit) {
      this.problems.push(`${path} has ${value.length} items (max ${limit})`);
    }
  }

  element(path: string, el: unknown): void {
    if (!isObj(el)) return;
    this.max(`${path}.action_id`, str(el.action_id), 255);
    if (el.type === 'button') {
      this.max(`${path}.text`, textOf(el.text), 75);
      this.max(`${path}.value`, str(el.value), 2000);
    }
    const type = String(el.type);
    if (MAX_OPTIONS[type] !== undefined) this.count(`${path}.options`, el.options, MAX_OPTIONS[type]);
    if (Array.isArray(el.options)) {
      el.options.forEach((opt: unknown, i) => {
        if (!isObj(opt)) return;
        this.max(`${path}.options[${i}].text`, textOf(opt.text), 75);
        // node-slack-sdk documents 75 for option values (newer docs say 150): keep the stricter one.
        this.max(`${path}.options[${i}].value`, str(opt.value), 75);
      });
    }
  }

  block(path: string, block: unknown): void {
    if (!isObj(block)) {
      this.problems.push(`${path} is not an object`);
      return;
    }
    this.max(`${path}.block_id`, str(block.block_id), 255);
    switch (block.type) {
      case 'section': {
        const text = textOf(block.text);
        if (text === '') this.problems.push(`${path}.text is empty (min 1)`);
        this.max(`${path}.text`, text, 3000);
        this.count(`${path}.fields`, block.fields, 10);
        if (Array.isArray(block.fields)) {
          block.fields.forEach((f: unknown, i) => {
            this.max(`${path}.fields[${i}]`, textOf(f), 2000);
          });
        }
        this.element(`${path}.accessory`, block.accessory);
        break;
      }
      case 'header':
        this.max(`${path}.text`, textOf(block.text), 150);
        break;
      case 'context':
        this.count(`${path}.elements`, block.elements, 10);
        break;
      case 'actions':
        this.count(`${path}.elements`, block.elements, 25);
        if (Array.isArray(block.elements)) {
          block.elements.forEach((el: unknown, i) => {
            this.element(`${path}.elements[${i}]`, el);
          });
        }
        break;
      case 'input':
        this.element(`${path}.element`, block.element);
        break;
    }
  }

  blocks(blocks: unknown[], surface: Surface, prefix = 'blocks'): void {
    this.count(prefix, blocks, MAX_BLOCKS[surface]);
    blocks.forEach((b, i) => {
      this.block(`${prefix}[${i}]`, b);
    });
  }

  throwIfAny(what: string): void {
    if (this.problems.length > 0) {
      throw new Error(`${what} exceeds Slack limits: ${this.problems.join('; ')}`);
    }
  }
}

export function assertWithinSlackLimits(blocks: unknown[], surface: Surface): void {
  const c = new Checker();
  c.blocks(blocks, surface);
  c.throwIfAny(`${surface} blocks`);
}

export function assertModalWithinLimits(view: unknown): void {
  const c = new Checker();
  if (!isObj(view)) throw new Error('modal view is not an object');
  c.max('title', textOf(view.title), 24);
  c.max('submit', textOf(view.submit), 24);
  c.max('close', textOf(view.close), 24);
  c.max('private_metadata', str(view.private_metadata), 3000);
  c.max('callback_id', str(view.callback_id), 255);
  c.blocks(Array.isArray(view.blocks) ? view.blocks : [], 'modal', 'view.blocks');
  c.throwIfAny('modal');
}
