import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Controller, Post, UseGuards, UseInterceptors, type CallHandler, type CanActivate, type NestInterceptor } from '@nestjs/common';
import { AllExceptionsFilter, isPlainDto } from '@app/platform';
import { ChatCompletionRequestDto } from '../openai-compat/chat-completion.dto.js';
import { ChatRequestDto } from '../requests/chat-request.dto.js';
import { assertNothingElseDecorated } from './direct-routes.js';

class AlwaysYes implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

class PassThrough implements NestInterceptor {
  intercept(_context: unknown, next: CallHandler) {
    return next.handle();
  }
}

@Controller('plain')
class Plain {
  @Post()
  start(): Promise<void> {
    return Promise.resolve();
  }
}

@Controller('guarded')
class Guarded {
  @Post()
  @UseGuards(AlwaysYes)
  start(): Promise<void> {
    return Promise.resolve();
  }
}

@Controller('intercepted')
@UseInterceptors(PassThrough)
class Intercepted {
  @Post()
  start(): Promise<void> {
    return Promise.resolve();
  }
}

const routeOf = (controller: new () => { start(): Promise<void> }) =>
  ({ controller, handler: 'start', body: ChatRequestDto, filter: new AllExceptionsFilter(), call: () => Promise.resolve() }) as never;

describe('the direct routes refuse to skip what a controller declares', () => {
  it('accepts a handler with nothing but its route', () => {
    expect(() => assertNothingElseDecorated(routeOf(Plain))).not.toThrow();
  });

  it('refuses a handler with a guard of its own, and a controller with an interceptor', () => {
    expect(() => assertNothingElseDecorated(routeOf(Guarded))).toThrow(/Guarded\.start carries __guards__/);
    expect(() => assertNothingElseDecorated(routeOf(Intercepted))).toThrow(/Intercepted\.start carries __interceptors__/);
  });
});

describe('the body each direct route validates', () => {
  it('takes the plain path for a stream start, the pipe for a completion (its messages are nested DTOs)', () => {
    expect(isPlainDto(ChatRequestDto)).toBe(true);
    expect(isPlainDto(ChatCompletionRequestDto)).toBe(false);
  });
});
