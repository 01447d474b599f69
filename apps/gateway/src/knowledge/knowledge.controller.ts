import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { KbDocumentCreated, KbDocumentDeleted, KbDocumentList } from '@app/contracts';
import { KbDocumentDto } from '@app/platform';
import { documentIdPipe, HistoryClient } from '@app/platform';
import { AdminGuard } from '../auth/admin.guard.js';
import { KbQueryDto } from './kb-query.dto.js';

/** docs/api.md §14, proxied to the history service. */
@Controller('api/v1/kb/documents')
export class KnowledgeController {
  constructor(private readonly history: HistoryClient) {}

  @Get()
  list(@Query() _query: KbQueryDto): Promise<KbDocumentList> {
    return this.history.kbDocuments();
  }

  @Post()
  @HttpCode(201)
  @UseGuards(AdminGuard)
  add(@Body() body: KbDocumentDto, @Query() _query: KbQueryDto): Promise<KbDocumentCreated> {
    return this.history.addKbDocument(body);
  }

  @Delete(':document_id')
  @UseGuards(AdminGuard)
  async remove(@Param('document_id', documentIdPipe) documentId: string, @Query() _query: KbQueryDto): Promise<KbDocumentDeleted> {
    const deleted = await this.history.deleteKbDocument(documentId);
    if (!deleted) throw new NotFoundException({ error: 'Document not found', message: 'Document not found', document_id: documentId });
    return deleted;
  }
}
