"""``mm.download``: streamed, atomic, resumable, and the API token never reaches a media host.

Runs against the real HTTP fake of ``test_polling`` (media served with ``Range``/206 support and
faults on demand); a second fake server stands for a media CDN on another host.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import AsyncIterator, Iterator

import pytest

from minimax_async import AsyncMiniMax
from minimax_async._converter import structure
from minimax_async._exceptions import APIConnectionError, APIStatusError, NotFoundError
from minimax_async.models.agent import AgentJob
from minimax_async.models.images import Image
from minimax_async.models.music import Music
from minimax_async.models.videos import Video

from .test_polling import TOKEN, FakeAPI, Media, Sleeper, video

DATA = bytes(range(256)) * 4096 + b"tail"  # 1 MiB + 4 bytes: several 256 KiB chunks
HALF = len(DATA) // 2
SAFE_VID = "user_1234-minimax_987654321-video_998877665544332211"


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    fake = FakeAPI().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def cdn() -> Iterator[FakeAPI]:
    """A media host that is not the API's host (another port: another origin)."""
    fake = FakeAPI().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
async def client(api: FakeAPI) -> AsyncIterator[AsyncMiniMax]:
    mm = AsyncMiniMax(TOKEN, base_url=api.base_url)
    mm._sleep = Sleeper()
    async with mm:
        yield mm


def completed_video(server: FakeAPI, **urls: str) -> Video:
    body = video(2)
    body["downloadURL"] = server.media("clean.mp4", DATA)
    body["videoURL"] = server.media("marked.mp4", b"watermarked " + DATA[:100])
    body.update(urls)
    return structure(body, Video)


def files_in(directory: pathlib.Path) -> list[str]:
    return sorted(os.listdir(directory))


def left_part(dest: pathlib.Path, data: bytes, validator: str | None = '"v1"') -> None:
    """What an interrupted download leaves: ``<dest>.part`` and, when the server gave one,
    the validator it was started with (the fake media host's ETag is ``"v1"``)."""
    pathlib.Path(f"{dest}.part").write_bytes(data)
    if validator is not None:
        pathlib.Path(f"{dest}.part.validator").write_text(validator)


# -- what is downloaded, and where -----------------------------------------------------------


async def test_download_to_a_file_path(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    result = completed_video(api)
    dest = tmp_path / "cat.mp4"
    path = await client.download(result, dest)
    assert path == dest
    assert isinstance(path, pathlib.Path)
    assert dest.read_bytes() == DATA  # the clean copy: downloadURL
    assert files_in(tmp_path) == ["cat.mp4"]
    assert [r.path for r in api.requests] == ["/media/clean.mp4"]


async def test_download_accepts_a_string_destination(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    path = await client.download(completed_video(api), str(tmp_path / "cat.mp4"))
    assert path == tmp_path / "cat.mp4"
    assert path.read_bytes() == DATA


async def test_download_into_a_directory_names_the_file_after_the_id(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    path = await client.download(completed_video(api), tmp_path)
    assert path == tmp_path / f"{SAFE_VID}.mp4"
    assert ":" not in path.name
    assert path.read_bytes() == DATA
    assert files_in(tmp_path) == [f"{SAFE_VID}.mp4"]


async def test_watermark_true_picks_video_url(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    path = await client.download(completed_video(api), tmp_path / "w.mp4", watermark=True)
    assert path.read_bytes() == b"watermarked " + DATA[:100]
    assert [r.path for r in api.requests] == ["/media/marked.mp4"]


async def test_video_without_download_url_falls_back_to_video_url(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    result = completed_video(api, downloadURL="")
    path = await client.download(result, tmp_path / "v.mp4")
    assert path.read_bytes().startswith(b"watermarked ")


async def test_image_prefers_download_url(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    image = structure(
        {
            "imageId": "user:1-minimax:2-image:3",
            "status": 2,
            "videoURL": api.media("marked.png", b"marked-png"),
            "downloadURL": api.media("clean.png", b"clean-png"),
        },
        Image,
    )
    path = await client.download(image, tmp_path)
    assert path.name == "user_1-minimax_2-image_3.png"
    assert path.read_bytes() == b"clean-png"
    marked = await client.download(image, tmp_path / "m.png", watermark=True)
    assert marked.read_bytes() == b"marked-png"


def agent_job(server: FakeAPI) -> AgentJob:
    return structure(
        {
            "jobId": "p1-u2-a3-bot:minimax",
            "status": "completed",
            "response": {
                "attachments": [
                    {
                        "attachmentID": "att:123",
                        "type": 1,
                        "status": 3,
                        "file": {
                            "fileName": "cat.mp4",
                            "fileUrl": server.media("file.mp4", b"file-url"),
                            "type": "video/mp4",
                            "extra": {
                                "no_watermark_url": server.media("nowm.mp4", b"no-watermark"),
                                "watermark_url": server.media("wm.mp4", b"watermark"),
                            },
                        },
                    },
                    {
                        "attachmentID": "att_2",
                        "type": 2,
                        "status": 3,
                        "file": {
                            "fileName": "cat.png",
                            "fileUrl": server.media("pic.png", b"png-bytes"),
                            "type": "image/png",
                            "extra": {"model_name": "banana_2"},
                        },
                    },
                ]
            },
        },
        AgentJob,
    )


async def test_agent_attachment_prefers_the_no_watermark_url(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    job = agent_job(api)
    assert job.response is not None
    assert job.response.attachments is not None
    video_att, image_att = job.response.attachments
    path = await client.download(video_att, tmp_path)
    assert path.read_bytes() == b"no-watermark"
    assert path.name == "att_123.mp4"
    marked = await client.download(video_att, tmp_path / "marked.mp4", watermark=True)
    assert marked.read_bytes() == b"watermark"
    picture = await client.download(image_att, tmp_path / "pic.png")  # no extra URLs: fileUrl
    assert picture.read_bytes() == b"png-bytes"


async def test_music_downloads_its_audio_url(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    song = structure(
        {
            "musicId": "user:1-minimax:2-music:3",
            "status": 2,
            "audioURL": api.media("s.mp3", b"mp3"),
        },
        Music,
    )
    path = await client.download(song, tmp_path)
    assert path.name == "user_1-minimax_2-music_3.mp3"
    assert path.read_bytes() == b"mp3"


async def test_plain_url(api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path) -> None:
    url = api.media("clip.mp4", DATA)
    assert (await client.download(url, tmp_path / "x.mp4")).read_bytes() == DATA
    assert (await client.download(url, tmp_path)).name == "clip.mp4"


async def test_a_result_without_media_url_is_rejected(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    running = structure(video(1, 40), Video)
    with pytest.raises(ValueError, match="no media URL"):
        await client.download(running, tmp_path / "x.mp4")
    assert api.requests == []
    assert files_in(tmp_path) == []


async def test_progress_reports_bytes_and_total(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    calls: list[tuple[int, int | None]] = []

    async def on_progress(done: int, total: int | None) -> None:
        calls.append((done, total))

    await client.download(completed_video(api), tmp_path / "p.mp4", on_progress=on_progress)
    assert calls[0] == (0, len(DATA))
    assert calls[-1] == (len(DATA), len(DATA))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# -- resume, restart, failures ---------------------------------------------------------------


async def test_resumes_an_existing_part_file_with_range(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "r.mp4"
    left_part(dest, DATA[:HALF])
    calls: list[tuple[int, int | None]] = []
    await client.download(
        api.media("r.mp4", DATA), dest, on_progress=lambda d, t: calls.append((d, t))
    )
    assert dest.read_bytes() == DATA
    assert files_in(tmp_path) == ["r.mp4"]
    (request,) = api.requests
    assert request.headers["Range"] == f"bytes={HALF}-"
    assert request.headers["If-Range"] == '"v1"'
    assert calls[0] == (HALF, len(DATA))
    assert calls[-1] == (len(DATA), len(DATA))


async def test_server_without_range_support_restarts_cleanly(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "r.mp4"
    left_part(dest, b"stale bytes of another try")
    await client.download(api.media("r.mp4", DATA, Media(ranges=False)), dest)
    assert dest.read_bytes() == DATA
    assert files_in(tmp_path) == ["r.mp4"]
    assert api.requests[0].headers["Range"] == "bytes=26-"


async def test_a_complete_part_file_is_finished_not_stuck(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    """A crash between the last write and the rename leaves a full ``.part``: the server
    answers ``416 Range Not Satisfiable`` to ``bytes=<size>-``, which must not fail forever."""
    dest = tmp_path / "r.mp4"
    left_part(dest, DATA)
    await client.download(api.media("r.mp4", DATA), dest)
    assert dest.read_bytes() == DATA
    assert files_in(tmp_path) == ["r.mp4"]
    (request,) = api.requests  # 416 for bytes=<size>-: the part is complete, nothing to fetch
    assert request.headers["Range"] == f"bytes={len(DATA)}-"


async def test_a_part_file_longer_than_the_media_is_replaced(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "r.mp4"
    left_part(dest, DATA + b"bytes of another, longer file")
    await client.download(api.media("r.mp4", DATA), dest)
    assert dest.read_bytes() == DATA
    assert files_in(tmp_path) == ["r.mp4"]
    first, second = api.requests
    assert "Range" in first.headers
    assert "Range" not in second.headers


async def test_an_interrupted_body_is_resumed_on_the_next_attempt(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "i.mp4"
    url = api.media("i.mp4", DATA, Media(cut_after=HALF), Media())
    await client.download(url, dest)
    assert dest.read_bytes() == DATA
    first, second = api.requests
    assert "Range" not in first.headers
    assert second.headers["Range"].startswith("bytes=")
    assert int(second.headers["Range"][6:-1]) > 0


async def test_an_interrupted_body_leaves_no_file_at_dest(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "cut.mp4"
    url = api.media("cut.mp4", DATA, Media(cut_after=1000, ranges=False))
    with pytest.raises(APIConnectionError):
        await client.download(url, dest)
    assert not dest.exists()
    assert len(api.requests) == 3  # the first try and max_retries=2 more
    assert files_in(tmp_path) == ["cut.mp4.part", "cut.mp4.part.validator"]


async def test_an_interrupted_body_into_a_directory_leaves_no_file(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    url = api.media("cut.mp4", DATA, Media(cut_after=1000))
    with pytest.raises(APIConnectionError):
        await client.download(url, tmp_path)
    assert "cut.mp4" not in files_in(tmp_path)


async def test_content_length_mismatch_is_detected(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    """The 206 body is complete for its own Content-Length, but short of the announced total."""
    dest = tmp_path / "m.mp4"
    left_part(dest, DATA[:HALF])
    url = api.media("m.mp4", DATA, Media(total=len(DATA) + 100))
    with pytest.raises(APIConnectionError, match=f"{len(DATA)} of {len(DATA) + 100} bytes"):
        await client.with_options(max_retries=0).download(url, dest)
    assert not dest.exists()
    # kept for a later resume, with the validator it must match
    assert files_in(tmp_path) == ["m.mp4.part", "m.mp4.part.validator"]


async def test_a_short_200_body_is_detected(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "s.mp4"
    url = api.media("s.mp4", DATA, Media(cut_after=HALF, ranges=False))
    with pytest.raises(APIConnectionError):
        await client.with_options(max_retries=0).download(url, dest)
    assert not dest.exists()


async def test_compressed_answers_cannot_break_the_size_check(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    """Media is asked for as-is (``Accept-Encoding: identity``): a host that would gzip it
    (Content-Length of the compressed body) must not make the size check fail."""
    url = api.media("z.mp4", DATA, Media(gzip=True))
    path = await client.download(url, tmp_path / "z.mp4")
    assert path.read_bytes() == DATA
    assert "gzip" not in api.requests[0].headers.get("Accept-Encoding", "")


@pytest.mark.parametrize(("status", "error"), [(404, NotFoundError), (403, APIStatusError)])
async def test_http_errors_leave_no_file(
    api: FakeAPI,
    client: AsyncMiniMax,
    tmp_path: pathlib.Path,
    status: int,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        await client.download(api.media("x.mp4", DATA, Media(status=status)), tmp_path / "x.mp4")
    assert files_in(tmp_path) == []


async def test_an_existing_file_at_dest_is_replaced_atomically(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "old.mp4"
    dest.write_bytes(b"old content")
    await client.download(api.media("old.mp4", DATA), dest)
    assert dest.read_bytes() == DATA


async def test_a_failed_download_keeps_an_existing_file_untouched(
    api: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    dest = tmp_path / "old.mp4"
    dest.write_bytes(b"old content")
    with pytest.raises(APIConnectionError):
        await client.download(api.media("old.mp4", DATA, Media(cut_after=10)), dest)
    assert dest.read_bytes() == b"old content"


# -- the API token stays with the API --------------------------------------------------------


async def test_the_token_goes_to_the_api_host_only(
    api: FakeAPI, cdn: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    await client.download(cdn.media("a.mp4", DATA), tmp_path / "cdn.mp4")
    await client.download(api.media("b.mp4", DATA), tmp_path / "api.mp4")
    (on_cdn,) = cdn.requests
    (on_api,) = api.requests
    assert "Authorization" not in on_cdn.headers
    assert TOKEN not in repr(on_cdn.headers)
    assert on_api.headers["Authorization"] == f"Bearer {TOKEN}"
    assert (tmp_path / "cdn.mp4").read_bytes() == DATA


async def test_no_token_on_a_resumed_download_from_a_media_host(
    cdn: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    left_part(tmp_path / "r.mp4", DATA[:HALF])
    await client.download(cdn.media("r.mp4", DATA), tmp_path / "r.mp4")
    (request,) = cdn.requests
    assert "Authorization" not in request.headers
    assert request.headers["Range"] == f"bytes={HALF}-"


async def test_no_token_after_a_redirect_from_the_api_host_to_a_media_host(
    api: FakeAPI, cdn: FakeAPI, client: AsyncMiniMax, tmp_path: pathlib.Path
) -> None:
    target = cdn.media("moved.mp4", DATA)
    url = api.media("go.mp4", b"", Media(redirect=target))
    path = await client.download(url, tmp_path / "moved.mp4")
    assert path.read_bytes() == DATA
    assert api.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    (on_cdn,) = cdn.requests
    assert "Authorization" not in on_cdn.headers


async def test_no_token_to_a_media_host_with_default_headers(
    api: FakeAPI, cdn: FakeAPI, tmp_path: pathlib.Path
) -> None:
    async with AsyncMiniMax(TOKEN, base_url=api.base_url, default_headers={"X-Trace": "1"}) as mm:
        await mm.download(cdn.media("a.mp4", b"abc"), tmp_path / "a.mp4")
    (request,) = cdn.requests
    assert "Authorization" not in request.headers
    assert request.headers["X-Trace"] == "1"
