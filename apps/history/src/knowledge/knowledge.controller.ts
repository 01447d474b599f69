import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { KbDocumentCreated, KbDocumentDeleted, KbDocumentList, KbIndex } from '@app/contracts';
import { KbDocumentDto } from '@app/platform';
import { documentIdPipe } from '@app/platform';
import { KbSearchQueryDto } from './kb-search-query.dto.js';
import { KnowledgeRepository, type TextSearchHit } from './knowledge.repository.js';
import { KnowledgeService } from './knowledge.service.js';

/** Internal knowledge-base API (docs/api.md §11): the gateway proxies the document routes, generators load the index. */
@Controller('kb')
export class KnowledgeController {
  constructor(
    private readonly knowledge: KnowledgeService,
    private readonly repository: KnowledgeRepository,
  ) {}

  @Get('documents')
  list(): Promise<KbDocumentList> {
    return this.knowledge.list();
  }

  @Post('documents')
  @HttpCode(201)
  add(@Body() body: KbDocumentDto): Promise<KbDocumentCreated> {
    return this.knowledge.add(body);
  }

  @Delete('documents/:id')
  remove(@Param('id', documentIdPipe) id: string): Promise<KbDocumentDeleted> {
    return this.knowledge.remove(id);
  }

  @Get('version')
  async version(): Promise<{ version: number }> {
    return { version: await this.repository.version() };
  }

  @Get('index')
  index(): Promise<KbIndex> {
    return this.repository.index();
  }

  /** The database's full-text ranking of sections (the alternative to the generators' index; see docs/architecture.md). */
  @Get('search')
  search(@Query() query: KbSearchQueryDto): Promise<TextSearchHit[]> {
    return this.repository.search(query.q, query.limit);
  }
}
