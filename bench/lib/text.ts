/** What a person reads in a message: its fallback text and every text in its blocks. */
export function messageTextOf(body: Record<string, unknown>): string {
  const texts: string[] = [String(body.text ?? '')];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k === 'text' && typeof x === 'string') texts.push(x);
        else walk(x);
      }
    }
  };
  walk(body.blocks);
  return texts.join('\n');
}
