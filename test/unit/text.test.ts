import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../src/core/text';

test('LineIndex maps offsets to lines with \\n, \\r\\n and \\r endings', () => {
  const text = 'ab\ncd\r\nef\rgh';
  const index = new LineIndex(text);
  assert.deepEqual(index.position(0), { line: 0, character: 0 });
  assert.deepEqual(index.position(text.indexOf('c')), { line: 1, character: 0 });
  assert.deepEqual(index.position(text.indexOf('f')), { line: 2, character: 1 });
  assert.equal(index.lineNumber(text.indexOf('h')), 4);
  assert.equal(index.lineNumber(text.length), 4);
});
