import { Alert, Anchor, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { Dropzone, MIME_TYPES, type FileRejection } from '@mantine/dropzone';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../../api/describe-error';
import { DateTime } from '../../ui/dates';
import { EmptyState, LoadingState, QueryError } from '../../ui/states';
import { useDocuments, useUploadDocument } from './payments-api';

const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = [MIME_TYPES.pdf, MIME_TYPES.png, MIME_TYPES.jpeg];

function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function rejectionMessage(rejection: FileRejection): string {
  const code = rejection.errors[0]?.code;
  if (code === 'file-too-large') return `${rejection.file.name} is larger than 10 MB.`;
  if (code === 'file-invalid-type') return `${rejection.file.name} is not a PDF, PNG or JPEG.`;
  return `${rejection.file.name}: ${rejection.errors[0]?.message ?? 'cannot be uploaded'}`;
}

export function PaymentDocuments({ paymentId, canUpload }: { paymentId: string; canUpload: boolean }) {
  const documents = useDocuments(paymentId);
  const upload = useUploadDocument(paymentId);
  const [problems, setProblems] = useState<string[]>([]);

  const send = async (files: File[]) => {
    setProblems([]);
    for (const file of files) {
      try {
        await upload.mutateAsync(file);
        notifications.show({ color: 'green', title: 'Uploaded', message: file.name });
      } catch (error) {
        const { title, message } = describeError(error);
        setProblems((p) => [...p, `${file.name}: ${title}${message ? ` — ${message}` : ''}`]);
      }
    }
  };

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="documents-title">
      <Title order={2} size="h4" id="documents-title" mb="sm">
        Documents
      </Title>
      <Stack gap="sm">
        {canUpload ? (
          <Dropzone
            onDrop={(files) => void send(files)}
            onReject={(rejections) => setProblems(rejections.map(rejectionMessage))}
            accept={ACCEPT}
            maxSize={MAX_BYTES}
            useFsAccessApi={false}
            // The file input stays out of the accessibility tree: the drop area is the one button.
            inputProps={{ style: { display: 'none' } }}
            loading={upload.isPending}
            role="button"
            aria-label="Upload documents: drop files here or press Enter to choose"
          >
            <Group justify="center" mih={80} style={{ pointerEvents: 'none' }}>
              <Stack gap={2} align="center">
                <Dropzone.Accept>
                  <Text fw={500}>Drop to upload</Text>
                </Dropzone.Accept>
                <Dropzone.Reject>
                  <Text fw={500} c="red">
                    Only PDF, PNG or JPEG up to 10 MB
                  </Text>
                </Dropzone.Reject>
                <Dropzone.Idle>
                  <Text fw={500}>Drag files here or click to choose</Text>
                </Dropzone.Idle>
                <Text size="xs" c="dimmed">
                  PDF, PNG or JPEG, up to 10 MB each
                </Text>
              </Stack>
            </Group>
          </Dropzone>
        ) : null}
        {problems.length > 0 ? (
          <Alert color="red" title="Some files were not uploaded" role="alert" withCloseButton onClose={() => setProblems([])}>
            <Stack gap={2}>
              {problems.map((p) => (
                <Text key={p} size="sm">
                  {p}
                </Text>
              ))}
            </Stack>
          </Alert>
        ) : null}
        {documents.isPending ? (
          <LoadingState label="Loading documents…" />
        ) : documents.isError ? (
          <QueryError query={documents} />
        ) : documents.data.items.length === 0 ? (
          <EmptyState title="No documents" />
        ) : (
          <Table.ScrollContainer minWidth={420}>
            <Table verticalSpacing={4} aria-label="Documents">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>File</Table.Th>
                  <Table.Th>Size</Table.Th>
                  <Table.Th>Uploaded</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {documents.data.items.map((doc) => (
                  <Table.Tr key={doc.id}>
                    <Table.Td>
                      <Anchor href={doc.downloadUrl} download={doc.fileName} size="sm">
                        {doc.fileName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{fileSize(doc.sizeBytes)}</Table.Td>
                    <Table.Td>
                      <DateTime value={doc.createdAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
