import { X12Error, x12Issue, type X12Issue } from './errors.ts';
import { chunksOf, X12Tokenizer, type TextSegment, type X12Segment, type X12Source } from './tokenizer.ts';
import { TransactionSetWalker, type SetContext, type SetReader, type SetSink } from './transaction-set-walker.ts';

/** A junk file could otherwise produce a warning per segment. */
const MAX_WARNINGS = 1000;

/**
 * Reads a source chunk by chunk through the tokenizer and the
 * transaction-set walker, yielding after each chunk so a caller can hand on
 * what the sink collected. X12Errors that stop the tokenizer go to the sink;
 * only failures of the source itself (I/O) are thrown.
 */
export async function* walkSource<T>(
  source: X12Source,
  transactionSetId: string,
  open: (context: SetContext) => SetReader<T>,
  sink: SetSink<T>,
): AsyncGenerator<void, void, undefined> {
  const capped = capWarnings(sink);
  const walker = new TransactionSetWalker(transactionSetId, open, capped.sink);
  const tokenizer = tokenizerFor(capped.sink);
  const emit = walkerEmit(walker);
  try {
    for await (const chunk of chunksOf(source)) {
      tokenizer.push(chunk, emit);
      yield;
    }
    tokenizer.end(emit);
  } catch (error) {
    if (!(error instanceof X12Error)) throw error;
    capped.sink.error(error);
  }
  walker.finish();
  capped.finish();
}

/** The same, synchronously, for a whole text already in memory. */
export function walkText<T>(
  text: string,
  transactionSetId: string,
  open: (context: SetContext) => SetReader<T>,
  sink: SetSink<T>,
): void {
  const capped = capWarnings(sink);
  const walker = new TransactionSetWalker(transactionSetId, open, capped.sink);
  const tokenizer = tokenizerFor(capped.sink);
  const emit = walkerEmit(walker);
  try {
    tokenizer.push(text, emit);
    tokenizer.end(emit);
  } catch (error) {
    if (!(error instanceof X12Error)) throw error;
    capped.sink.error(error);
  }
  walker.finish();
  capped.finish();
}

/** A transient tokenizer (below) emits its TextSegment. */
function walkerEmit<T>(walker: TransactionSetWalker<T>): (segment: X12Segment) => void {
  return (segment) => walker.segment(segment as TextSegment);
}

function tokenizerFor<T>(sink: SetSink<T>): X12Tokenizer {
  // The walker and its readers keep values, never a segment: one segment object serves them all.
  return new X12Tokenizer({ onWarning: (issue) => sink.warning(issue), onError: (error) => sink.error(error), transient: true });
}

function capWarnings<T>(sink: SetSink<T>): { sink: SetSink<T>; finish(): void } {
  let count = 0;
  return {
    sink: {
      set: (result) => sink.set(result),
      skipped: (skipped) => sink.skipped(skipped),
      error: (error) => sink.error(error),
      warning: (issue: X12Issue) => {
        if (++count <= MAX_WARNINGS) sink.warning(issue);
      },
    },
    finish: () => {
      if (count > MAX_WARNINGS) {
        sink.warning(x12Issue('too_many_warnings', `${count - MAX_WARNINGS} more warnings were not listed`, { segmentNumber: null }));
      }
    },
  };
}
