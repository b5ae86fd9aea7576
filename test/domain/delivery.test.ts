import { describe, expect, it } from 'vitest';
import {
  type Delivery,
  deliveryKey,
  describeDelivery,
  digestSlotOf,
  FORGOTTEN_WITH_A_PERSON,
  parseDeliveryKey,
  personalKeyPattern,
  roundOf,
} from '../../src/domain/delivery.ts';

const deliveries: Delivery[] = [
  { kind: 'invite', roundId: 7, userId: 'U01' },
  { kind: 'reminder', roundId: 7, userId: 'W9Z' },
  { kind: 'recorded', roundId: 12, userId: 'U01' },
  { kind: 'closed', roundId: 12, userId: 'U01' },
  { kind: 'away', roundId: 3, userId: 'U01' },
  { kind: 'summary', roundId: 12 },
  { kind: 'digest', leadId: 'ULEAD', slot: 1_764_000_000_000 },
  { kind: 'setup', teamId: 4, nonce: '0a1b2c3d4e5f6071' },
  { kind: 'join', teamId: 4, userId: 'U01' },
  { kind: 'joined', teamId: 4, userId: 'U01' },
  { kind: 'optout', teamId: 4, userId: 'W9Z' },
  { kind: 'declined', teamId: 4, userId: 'W9Z' },
  { kind: 'added', teamId: 9, userId: 'U01' },
  { kind: 'left', teamId: 9, userId: 'U01' },
  { kind: 'chart', roundId: 12 },
  { kind: 'digest_chart', leadId: 'ULEAD', slot: 1_764_000_000_000 },
];

describe('delivery keys', () => {
  it.each(deliveries)('reads back what it wrote: %o', (d) => {
    expect(parseDeliveryKey(deliveryKey(d))).toEqual(d);
  });

  it('writes the stable text forms the outbox has always stored', () => {
    expect(deliveries.map(deliveryKey)).toEqual([
      'invite:7:U01',
      'reminder:7:W9Z',
      'recorded:12:U01',
      'closed:12:U01',
      'away:3:U01',
      'summary:12',
      'digest:ULEAD:1764000000000',
      'setup:4:0a1b2c3d4e5f6071',
      'join:4:U01',
      'joined:4:U01',
      'optout:4:W9Z',
      'declined:4:W9Z',
      'added:9:U01',
      'left:9:U01',
      'chart:12',
      'digest-chart:ULEAD:1764000000000',
    ]);
  });

  it('refuses keys it did not write', () => {
    for (const key of [
      '',
      'invite:7',
      'invite:x:U1',
      'invite:7:u1',
      'digest:ULEAD:',
      'other:1:U1',
      'summary:1:U1',
      'join:4',
      'join:x:U1',
      'joined:4:u1',
      'welcome:4:U1',
      'chart:1:U1',
      'digest-chart:ULEAD',
    ]) {
      expect(parseDeliveryKey(key)).toBeNull();
    }
  });

  it('knows the round of a delivery, if it has one', () => {
    expect(deliveries.map(roundOf)).toEqual([
      7,
      7,
      12,
      12,
      3,
      12,
      null,
      null,
      ...Array(6).fill(null),
      12,
      null,
    ]);
    expect(deliveries.map(digestSlotOf)).toEqual([
      ...Array(6).fill(null),
      1_764_000_000_000,
      null,
      ...Array(6).fill(null),
      null,
      1_764_000_000_000,
    ]);
  });

  it('names a delivery without the person it is for', () => {
    expect(describeDelivery('recorded:12:U01ABC')).toBe('recorded:12:…');
    expect(describeDelivery('digest:ULEAD:1764000000000')).toBe('digest:…:1764000000000');
    expect(describeDelivery('digest-chart:ULEAD:1764000000000')).toBe('digest-chart:…:1764000000000');
  });

  it('matches one kind for one person in any round, and nobody else', () => {
    const like = new RegExp(`^${personalKeyPattern('invite', 'U1').replace('%', '.*')}$`);
    expect(like.test('invite:7:U1')).toBe(true);
    expect(like.test('invite:7:U11')).toBe(false);
    expect(like.test('reminder:7:U1')).toBe(false);
  });

  it('forgets with a person every queued delivery to or about their place on a team', () => {
    const membership = deliveries.filter((d) => 'teamId' in d && 'userId' in d);
    expect(membership).toHaveLength(6);
    for (const d of membership) expect(FORGOTTEN_WITH_A_PERSON).toContain(d.kind);
  });
});

describe('the parts of a long summary', () => {
  it('keep the first part’s key as it always was, and number the others', () => {
    expect(deliveryKey({ kind: 'summary', roundId: 12 })).toBe('summary:12');
    expect(deliveryKey({ kind: 'summary', roundId: 12, part: 0 })).toBe('summary:12');
    expect(deliveryKey({ kind: 'summary', roundId: 12, part: 2 })).toBe('summary:12:2');
    expect(parseDeliveryKey('summary:12:2')).toEqual({ kind: 'summary', roundId: 12, part: 2 });
    expect(roundOf({ kind: 'summary', roundId: 12, part: 2 })).toBe(12);
  });
});
