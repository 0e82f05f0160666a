import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { Dropzone, type FileRejection } from '@mantine/dropzone';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { describeError } from '../../api/describe-error';
import { RemittanceResult } from './remittance-result';
import { useImportRemittance, usePreviewRemittance } from './remittances-api';

const MAX_BYTES = 200 * 1024 * 1024;

function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function rejectionMessage(rejection: FileRejection): string {
  if (rejection.errors[0]?.code === 'file-too-large') return `${rejection.file.name} is larger than 200 MB.`;
  return `${rejection.file.name}: ${rejection.errors[0]?.message ?? 'cannot be uploaded'}`;
}

/**
 * Upload an 835: dropped or picked, previewed (what it would post, nothing
 * posted), then posted for real with "Post", then the result.
 */
export function RemittanceUpload() {
  const preview = usePreviewRemittance();
  const post = useImportRemittance();
  const [file, setFile] = useState<File | null>(null);
  const [rejected, setRejected] = useState<string | null>(null);

  const choose = (files: File[]) => {
    const next = files[0];
    if (!next) return;
    setRejected(null);
    setFile(next);
    post.reset();
    preview.mutate(next);
  };
  const startOver = () => {
    setFile(null);
    preview.reset();
    post.reset();
  };

  const previewFailure = preview.error ? describeError(preview.error) : null;
  const postFailure = post.error ? describeError(post.error) : null;

  return (
    <Card withBorder padding="md" component="section" aria-labelledby="upload-title">
      <Title order={2} size="h4" id="upload-title" mb="sm">
        Import an 835
      </Title>
      <Stack gap="md">
        {!file ? (
          <Dropzone
            onDrop={choose}
            onReject={(rejections) => setRejected(rejections.map(rejectionMessage).join(' '))}
            maxSize={MAX_BYTES}
            multiple={false}
            useFsAccessApi={false}
            // The file input stays out of the accessibility tree: the drop area is the one button.
            inputProps={{ style: { display: 'none' } }}
            role="button"
            aria-label="Upload an 835 file: drop it here or press Enter to choose"
            data-testid="remittance-dropzone"
          >
            <Group justify="center" mih={110} style={{ pointerEvents: 'none' }}>
              <Stack gap={2} align="center">
                <Dropzone.Accept>
                  <Text fw={500}>Drop to preview</Text>
                </Dropzone.Accept>
                <Dropzone.Reject>
                  <Text fw={500} c="red">
                    One file, up to 200 MB
                  </Text>
                </Dropzone.Reject>
                <Dropzone.Idle>
                  <Text fw={500}>Drag an 835 (ERA) file here or click to choose</Text>
                </Dropzone.Idle>
                <Text size="xs" c="dimmed">
                  X12 5010 (or 4010) remittance advice, one file up to 200 MB. You see what it will post before anything is posted.
                </Text>
              </Stack>
            </Group>
          </Dropzone>
        ) : (
          <Group justify="space-between" wrap="wrap">
            <Text size="sm">
              <strong data-testid="remittance-file-name">{file.name}</strong> · {fileSize(file.size)}
            </Text>
            <Group gap="xs">
              {post.data ? (
                <Button variant="default" onClick={startOver}>
                  Import another file
                </Button>
              ) : (
                <>
                  <Button variant="default" onClick={startOver} disabled={post.isPending}>
                    Choose another file
                  </Button>
                  <Button
                    onClick={() =>
                      post.mutate(file, {
                        onSuccess: (result) =>
                          notifications.show({
                            color: result.duplicate ? 'yellow' : 'green',
                            title: result.duplicate ? 'Already imported' : 'Remittance posted',
                            message: `${result.postedCount} of ${result.claimCount} claims posted, ${result.exceptionCount} exceptions, ${result.duplicateCount} duplicates.`,
                          }),
                      })
                    }
                    loading={post.isPending}
                    disabled={!preview.data}
                  >
                    Post
                  </Button>
                </>
              )}
            </Group>
          </Group>
        )}
        {rejected ? (
          <Alert color="red" title="File not accepted" role="alert" withCloseButton onClose={() => setRejected(null)}>
            {rejected}
          </Alert>
        ) : null}
        {previewFailure ? (
          <Alert color="red" title={previewFailure.title} role="alert">
            {previewFailure.message}
          </Alert>
        ) : null}
        {postFailure ? (
          <Alert color="red" title={postFailure.title} role="alert">
            {postFailure.message}
          </Alert>
        ) : null}
        {preview.isPending ? (
          <Text size="sm" c="dimmed" role="status">
            Reading the file…
          </Text>
        ) : null}
        {post.data ? (
          <Stack gap="xs" data-testid="remittance-result">
            <Title order={3} size="h5">
              Imported
            </Title>
            <RemittanceResult result={post.data} />
          </Stack>
        ) : preview.data ? (
          <Stack gap="xs" data-testid="remittance-preview">
            <Title order={3} size="h5">
              Preview: nothing is posted until you press Post
            </Title>
            <RemittanceResult result={preview.data} preview />
          </Stack>
        ) : null}
      </Stack>
    </Card>
  );
}
