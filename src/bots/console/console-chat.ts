// The console adapter behind `ragbot chat`: a conversation in the terminal.
// Reads questions line by line from a terminal or piped stdin, streams each
// answer, and keeps one session for the whole conversation.
//   /reset   clears the session       Ctrl-C   cancels the current answer
//   /exit    leaves                   Ctrl-C twice at the prompt, or EOF, leaves
import { createInterface, type Interface } from 'node:readline';
import { isEngineError, userMessages } from '../../engine/errors.js';
import type { AnswerEngine, AnswerProfile, SessionKey } from '../../engine/types.js';
import { formatSourcesList } from './format.js';

/** Options of `ConsoleChat`. */
export interface ConsoleChatOptions {
  engine: AnswerEngine;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  session: SessionKey;
  profile?: AnswerProfile;
  /** Shows a prompt and lets readline handle the keys; defaults to whether `input` is a terminal. */
  terminal?: boolean;
}

const helpText = 'Ask a question about the docs. Commands: /reset clears the conversation, /help shows this, /exit leaves (or press Ctrl-D).';

/** A terminal conversation with the engine. */
export class ConsoleChat {
  private readonly lines: string[] = [];
  private readline: Interface | undefined;
  private answering: AbortController | undefined;
  private processing = false;
  private inputClosed = false;
  private exitRequested = false;
  /** True after one Ctrl-C at the prompt; a second one leaves. */
  private interruptedAtPrompt = false;
  private finished: (() => void) | undefined;

  constructor(private readonly options: ConsoleChatOptions) {}

  private get terminal(): boolean {
    return this.options.terminal ?? (this.options.input as { isTTY?: boolean }).isTTY === true;
  }

  /** Runs the conversation; resolves on EOF, `/exit` or a second Ctrl-C at the prompt. */
  async run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    const readline = createInterface({ input: this.options.input, output: this.options.output, terminal: this.terminal, prompt: '> ' });
    this.readline = readline;

    readline.on('line', (line) => {
      this.interruptedAtPrompt = false;
      this.lines.push(line);
      void this.processLines();
    });
    readline.on('close', () => {
      this.inputClosed = true;
      void this.processLines();
    });
    readline.on('SIGINT', () => this.interrupt());

    if (this.terminal) {
      this.write(`${helpText}\n`);
      readline.prompt();
    }
    await done;
  }

  /**
   * Handles Ctrl-C: cancels the answer being streamed. At the prompt, the first
   * Ctrl-C prints a hint and the second one leaves.
   */
  interrupt(): void {
    if (this.answering !== undefined) {
      this.answering.abort();
      return;
    }
    if (this.interruptedAtPrompt) {
      this.exitRequested = true;
      this.readline?.close();
      this.write('\n');
      return;
    }
    this.interruptedAtPrompt = true;
    this.write('\n(Press Ctrl-C again or Ctrl-D to leave.)\n');
    this.prompt();
  }

  /** Works through queued lines one at a time; finishes once input has ended and the queue is empty. */
  private async processLines(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.lines.length > 0 && !this.exitRequested) {
        await this.handleLine(this.lines.shift()!);
        this.prompt();
      }
    } finally {
      this.processing = false;
    }

    if (this.exitRequested || (this.inputClosed && this.lines.length === 0)) {
      this.readline?.close();
      this.finished?.();
    }
  }

  private async handleLine(line: string): Promise<void> {
    const text = line.trim();
    if (text === '') return;

    switch (text) {
      case '/reset':
        this.options.engine.clearSession(this.options.session);
        this.write('Conversation cleared.\n');
        return;
      case '/help':
        this.write(`${helpText}\n`);
        return;
      case '/exit':
      case '/quit':
        this.exitRequested = true;
        return;
    }
    if (/^\/\w+$/.test(text)) {
      this.write(`Unknown command ${text}. ${helpText}\n`);
      return;
    }

    await this.answer(text);
  }

  /** Streams one answer and its sources; a Ctrl-C meanwhile cancels it. */
  private async answer(question: string): Promise<void> {
    const controller = new AbortController();
    this.answering = controller;
    let wroteText = false;
    try {
      const events = this.options.engine.ask({ question, session: this.options.session, profile: this.options.profile ?? 'normal', signal: controller.signal });
      for await (const event of events) {
        if (event.type === 'delta') {
          this.write(event.text);
          wroteText = true;
          continue;
        }
        const sources = formatSourcesList(event.sources);
        this.write(sources === '' ? '\n' : `\n\n${sources}\n`);
      }
    } catch (error) {
      if (wroteText) this.write('\n');
      this.write(`${describeError(error)}\n`);
    } finally {
      this.answering = undefined;
    }
    // A blank line separates one answer from the next question.
    this.write('\n');
  }

  private prompt(): void {
    if (this.terminal && !this.inputClosed && !this.exitRequested && this.answering === undefined) this.readline?.prompt();
  }

  private write(text: string): void {
    this.options.output.write(text);
  }
}

/** Returns the sentence to show for a failed question. */
export function describeError(error: unknown): string {
  if (isEngineError(error)) return userMessages[error.code];
  return `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
}
