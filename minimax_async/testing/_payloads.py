"""JSON bodies shaped key for key like the examples of the useapi.net MiniMax v1 documents."""

from __future__ import annotations

import hashlib
from typing import Any

from ._state import (
    Account,
    AgentJob,
    Chat,
    EmulatorState,
    FileRecord,
    Image,
    Music,
    Video,
    iso,
    mmss,
    status_label,
)

VIDEO_FINAL = frozenset({2, 3, 5, 7, 14})


def error(message: str, code: int) -> dict[str, Any]:
    return {"error": message, "code": code}


def status_info(code: int, message: str, state: EmulatorState) -> dict[str, Any]:
    return {
        "code": code,
        "httpCode": 0,
        "message": message,
        "serviceTime": int(state.clock.wall()),
        "requestID": _uuid(state),
        "debugInfo": str(code) if code else "",
        "serverAlert": 0,
    }


def _uuid(state: EmulatorState) -> str:
    value = f"{state.rng.getrandbits(128):032x}"
    return f"{value[:8]}-{value[8:12]}-4{value[13:16]}-a{value[17:20]}-{value[20:32]}"


def mask_token(token: str) -> str:
    if len(token) <= 8:
        return "…secured…"
    return f"{token[:3]}…secured…{token[-3:]}"


def account_body(acc: Account) -> dict[str, Any]:
    wall = acc.created_wall
    device_id = str(int(hashlib.sha1(acc.account.encode()).hexdigest(), 16) % 10**9)
    return {
        "account": acc.account,
        "jwt": {
            "token": mask_token(acc.token),
            "user": {
                "deviceID": device_id,
                "id": acc.account,
                "isAnonymous": True,
                "name": "",
                "avatar": "",
            },
            "exp": round(wall + 30 * 86400, 3),
            "iat": round(wall, 3),
            "host": "hailuoai.video",
            "searchParams": (
                f"device_platform=web&app_id=3001&version_code=22201&device_id={device_id}"
                f"&os_name=Linux&browser_name=chrome&unix={int(wall * 1000)}"
            ),
            "iat_Issued": iso(wall),
            "exp_Expire": iso(wall + 30 * 86400),
        },
        "maxJobs": acc.max_jobs,
        "supportVideo": acc.support_video,
        "supportChat": acc.support_chat,
        "supportAudio": acc.support_audio,
    }


def features_body(acc: Account) -> dict[str, Any]:
    def model(model_id: str, cost: int) -> dict[str, Any]:
        return {
            "modelId": model_id,
            "videoCost": cost,
            "isMember": False,
            "freeCount": 0,
            "durations": [],
            "resolutions": [],
            "modes": [],
            "videoCosts": [],
        }

    end_ms = int(acc.created_wall * 1000) + 30 * 86400 * 1000
    return {
        "privilegeType": 0,
        "totalCredits": acc.credits,
        "expireText": f"{acc.credits} points will expire within 24 hours",
        "videoCost": 30,
        "queueLength": acc.max_jobs,
        "memberText": "Subscribe",
        "memberHoverText": "",
        "expireTime": 0,
        "isNewUser": False,
        "questionText": "",
        "trialExpireTime": 0,
        "trialText": 0,
        "memberName": "Free",
        "newUserVersion": 0,
        "creditExpireText": [{"credit": acc.credits, "endTime": end_ms}],
        "modelControl": [
            model("image-01", 1),
            model("23000", 30),
            model("23010", 30),
            model("23001", 30),
            model("23011", 30),
            model("23102", 30),
            model("23021", 45),
        ],
        "supportModes": [],
        "imageQueueLength": acc.image_queue_length,
        "totalCreditsStr": str(acc.credits),
        "isPaidSubscription": False,
        "canManagePlan": True,
        "audio": {
            "total_credit": acc.credits,
            "sub_credits": [
                {
                    "credit_type": 3,
                    "end_time": end_ms,
                    "credit": acc.credits,
                    "text": "",
                    "record": [{"credit": acc.credits, "endTime": end_ms}],
                    "coin_type": 0,
                }
            ],
            "base_resp": {},
        },
    }


def file_record_body(record: FileRecord, state: EmulatorState) -> dict[str, Any]:
    return {
        "file_id": record.file_id,
        "file_name": "",
        "file_type": record.content_type.split("/")[-1],
        "cdn_url": state.media_url(record.media_path),
        "oss_path": state.media_url(record.media_path),
        "file_scene": 10,
        "file_status": 1,
    }


def _origin_files(state: EmulatorState, *file_ids: str | None) -> list[dict[str, Any]]:
    out = []
    for file_id in file_ids:
        if not file_id:
            continue
        record = state.files.get(file_id)
        url = state.media_url(record.media_path) if record else ""
        kind = record.content_type.split("/")[-1] if record else "png"
        out.append({"id": file_id, "url": url, "type": kind})
    return out


def video_body(video: Video, state: EmulatorState, *, for_list: bool = False) -> dict[str, Any]:
    """``GET videos/{videoId}`` (or one item of ``GET videos`` with ``for_list``)."""
    status, percent, message = video.life.phase(state.now())
    completed = status == 2
    final = status in VIDEO_FINAL
    body: dict[str, Any] = {
        "id": video.id,
        "desc": video.prompt,
        "coverURL": state.media_url(f"videos/{video.id}/cover.png") if completed else "",
        "videoURL": state.media_url(f"videos/{video.id}/watermark.mp4") if completed else "",
    }
    if completed or not for_list:
        body["downloadURL"] = (
            state.media_url(f"videos/{video.id}/nowatermark.mp4") if completed else ""
        )
    body["status"] = status
    body["statusLabel"] = status_label(status)
    body["statusFinal"] = final
    if not completed:
        body["message"] = message
    if not for_list:
        body["percent"] = percent
    body["width"] = video.width if completed else 0
    body["height"] = video.height if completed else 0
    body["originFiles"] = _origin_files(state, video.file_id, video.end_frame_file_id)
    body["canAppeal"] = status in (5, 7, 14)
    body["canRetry"] = status == 3
    body["videoId"] = video.video_id
    return body


def running_video_entry(video: Video, state: EmulatorState) -> dict[str, Any]:
    """One item of the 429 ``runningVideos`` lists."""
    return {
        "account": video.account,
        "id": video.id,
        "scheduledVideo": f"{video.account}-{video.batch_id}",
        "videoId": video.video_id,
        "started": video.life.started_iso,
        "replyUrl": video.reply_url,
        "replyRef": video.reply_ref,
    }


def scheduler_entry(job: Video | Image, state: EmulatorState) -> dict[str, Any]:
    """One item of ``GET scheduler``. Images carry their id as ``videoId`` and ``imageId``, or
    in one of them only (``state.scheduler_image_field``: the docs' example uses ``videoId``,
    their model has ``imageId``)."""
    entry: dict[str, Any] = {}
    if isinstance(job, Video):
        entry["videoId"] = job.video_id
    else:
        shape = state.scheduler_image_field
        if shape in ("both", "videoId"):
            entry["videoId"] = job.image_id
        if shape in ("both", "imageId"):
            entry["imageId"] = job.image_id
    entry["started"] = job.life.started_iso
    entry["elapsed"] = mmss(state.now() - job.life.created)
    entry["replyUrl"] = job.reply_url
    entry["replyRef"] = job.reply_ref
    return entry


def image_body(image: Image, state: EmulatorState) -> dict[str, Any]:
    """``GET images/{imageId}`` and one item of ``GET images``."""
    status, percent, message = image.life.phase(state.now())
    completed = status == 2
    n = image.id
    origin = _origin_files(state, image.character_file_id, *image.reference_file_ids)
    png = state.media_url(f"images/{n}/nowatermark.png") if completed else ""
    body: dict[str, Any] = {
        "id": n,
        "desc": image.prompt,
        "coverURL": state.media_url(f"images/{n}/cover.png") if completed else "",
        "videoURL": state.media_url(f"images/{n}/watermark.png") if completed else "",
        "status": status,
    }
    if not completed:
        body["message"] = message
        body["percent"] = percent
    body.update(
        {
            "canRetry": status == 3,
            "width": image.width if completed else 0,
            "height": image.height if completed else 0,
            "originFiles": _origin_files(state, image.character_file_id, *image.reference_file_ids),
            "canAppeal": status in (5, 7, 14),
            "downloadURL": png,
            "hasVoice": False,
            "modelID": image.model,
            "useOriginPrompt": not image.prompt_optimization,
            "isBookmarked": False,
            "disableGenerateSimilar": False,
            "createTime": int(image.life.created_wall * 1000),
            "postStatus": 0,
            "userID": int(state.user_id),
            "createType": 4,
            "promptImgURL": "",
            "extra": {"cameraMotions": [], "promptStruct": ""},
            "isVisitor": False,
            "videoURLs": {
                "feedURL": "",
                "downloadURLWithWatermark": (
                    state.media_url(f"images/{n}/watermark.png") if completed else ""
                ),
            },
            "priority": 0,
            "generatorType": 1,
            "isInFolder": False,
            "batchID": image.batch_id,
            "aspectRatio": image.aspect_ratio,
            "fileID": state.make_id(image.account, "file", n),
            "tags": [
                {"type": "normal", "tagIcon": "", "tagText": image.model},
                {
                    "type": "normal",
                    "tagIcon": "",
                    "tagText": (
                        "Enable Optimization" if image.prompt_optimization else "No Optimization"
                    ),
                },
                {
                    "type": "normal",
                    "tagIcon": "",
                    "tagText": "Image to image" if origin else "Text to image",
                },
            ],
            "duration": 0,
            "resolution": 0,
            "humanCheckStatus": 0,
            "userIDStr": state.user_id,
            "statusLabel": status_label(status),
            "statusFinal": status in VIDEO_FINAL,
            "imageId": image.image_id,
        }
    )
    return body


def agent_request_body(job: AgentJob, *, include_account: bool = True) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if include_account:
        request["account"] = job.account
    request["prompt"] = job.prompt
    if job.files:
        request["file"] = job.files
    request["models"] = list(job.models)
    if job.async_mode:
        request["async"] = True
    if job.reply_url:
        request["replyUrl"] = job.reply_url
    if job.reply_ref:
        request["replyRef"] = job.reply_ref
    return request


def agent_job_body(
    job: AgentJob, state: EmulatorState, *, include_account: bool = False
) -> dict[str, Any]:
    """``GET agent/{jobId}`` (``include_account`` for the POST agent answers)."""
    status = job.status(state.now())
    body: dict[str, Any] = {
        "jobId": job.job_id,
        "status": status,
        "created": iso(job.created_wall),
        "request": agent_request_body(job, include_account=include_account),
    }
    if status == "started":
        if not include_account:  # GET agent/{jobId} shows no response while started
            return body
        body["response"] = {
            "projectID": job.project_id,
            "sectionID": job.section_id,
            "chatID": job.chat_id,
        }
    elif status == "completed":
        body["response"] = {
            "projectID": job.project_id,
            "sectionID": job.section_id,
            "chatID": job.chat_id,
            "msg_content": f"Done: {job.prompt}",
            "timestamp": int((job.created_wall + job.duration) * 1000),
            "elapsedTime": mmss(job.duration),
            "attachments": job.attachments,
        }
    elif job.outcome == "timeout":
        body["error"] = {"message": "Timeout waiting for assistant response", "status": 504}
    else:
        body["error"] = {"message": "Agent connection error", "status": 500}
    return body


def music_body(song: Music, state: EmulatorState) -> dict[str, Any]:
    status, _, _ = song.life.phase(state.now())
    completed = status == 2
    return {
        "title": song.title,
        "lyrics": song.lyrics,
        "style": song.style,
        "coverURL": state.media_url(f"music/{song.id}/cover.png"),
        "audioURL": state.media_url(f"music/{song.id}/song.mp3"),
        "status": status,
        "statusLabel": status_label(status),
        "statusFinal": status in (2, 4),
        "createTime": int(song.life.created_wall * 1000),
        "duration": song.duration if completed else 0,
        "musicId": song.music_id,
    }


def chat_item_body(chat: Chat) -> dict[str, Any]:
    last = chat.messages[-1]["content"] if chat.messages else ""
    avatar = "https://cdn.yingshi-ai.com/emulator.png"
    return {
        "chatID": chat.chat_id,
        "createTime": int(chat.created_wall * 1000),
        "updateTime": int(chat.updated_wall * 1000),
        "chatTitle": chat.title,
        "chatDescription": chat.title,
        "requestStatus": 0,
        "isTop": False,
        "chatStyle": "pro",
        "robotID": 1,
        "robotName": "HiloAI",
        "robotAvatar": {"small": avatar, "medium": avatar, "large": avatar, "oversize": avatar},
        "isPhoneMode": False,
        "type": 0,
        "attachments": [],
        "abstractContent": last,
        "canSearch": True,
        "favoriteStatus": 0,
        "model": chat.model,
    }


def chat_message(
    *,
    msg_id: str,
    chat_id: str,
    content: str,
    msg_type: str,
    parent: str,
    created_ms: int,
) -> dict[str, Any]:
    return {
        "msgID": msg_id,
        "createTime": created_ms,
        "content": content,
        "msgType": msg_type,
        "feadbackType": 0,
        "requestStatus": 0 if msg_type == "user" else 1,
        "isEnd": 0,
        "chatID": chat_id,
        "msgSubtype": 0,
        "chatStyle": "pro",
        "parentMsgID": parent,
        "otherAgentAnswer": {"botInfo": None},
        "failedText": "",
        "canEdit": msg_type == "user",
        "extra": {
            "parsedQuestion": [],
            "msgTitle": "",
            "links": [],
            "audioUrl": "",
            "chatBotList": [],
            "form": [],
            "copilotTable": [],
            "copilotHandled": False,
            "copilotTextLimit": 0,
            "netSearchStatus": {"finalStatus": {"status": "", "statusCode": 0}, "linkDetail": []},
            "feedbackStatus": {},
            "responseType": "",
            "followUpQuestions": [],
            "urlStatus": {},
            "generateImage": [],
            "replyMsgType": "",
            "generateProcess": "",
            "ciCallResults": [],
            "isUserStopped": False,
        },
    }


def template_asset(template: dict[str, Any], state: EmulatorState) -> dict[str, Any]:
    tid = template["id"]
    return {
        "id": f"asset_{tid}",
        "desc": f"{template['name']} template",
        "coverURL": state.media_url(f"templates/{tid}/cover.png"),
        "videoURL": state.media_url(f"templates/{tid}/preview.mp4"),
        "status": 2,
        "width": 1280,
        "height": 720,
        "duration": 10,
        "resolution": 1,
        "title": template["name"],
        "agentTemplateID": tid,
        "agentTemplateName": template["name"],
    }


def template_list_item(template: dict[str, Any], state: EmulatorState) -> dict[str, Any]:
    tid = template["id"]
    asset = template_asset(template, state)
    asset.update(
        {
            "downloadURL": state.media_url(f"templates/{tid}/preview.mp4"),
            "hasVoice": True,
            "modelID": "agent",
            "useOriginPrompt": False,
            "isBookmarked": False,
            "disableGenerateSimilar": False,
            "postStatus": 1,
            "userID": 123456,
            "createType": 1,
            "promptImgURL": state.media_url(f"templates/{tid}/cover.png"),
            "aspectRatio": "16:9",
            "tags": [{"type": "style", "tagIcon": "", "tagText": "Cinematic"}],
            "humanCheckStatus": 1,
            "userIDStr": "123456",
        }
    )
    return _template_card(tid, asset, state)


def _template_card(tid: str, asset: dict[str, Any], state: EmulatorState) -> dict[str, Any]:
    """What a template's list item and its detail both start with."""
    return {
        "id": tid,
        "createTime": 1702953600000,
        "videoAsset": asset,
        "like": {"likes": 42, "likeStatus": 0},
        "author": {
            "userID": "user123",
            "name": "Emulator",
            "avatar": state.media_url("templates/avatar.png"),
        },
        "cardType": 1,
        "tabID": "template",
    }


def template_detail(template: dict[str, Any], state: EmulatorState) -> dict[str, Any]:
    inputs = []
    if template["requirePrompt"]:
        inputs.append({"name": "text_input", "type": "text"})
    if template["requireImage"]:
        inputs.append({"name": "image_input", "type": "image"})
    return {
        **_template_card(template["id"], template_asset(template, state), state),
        "credits": template["credits"],
        "requirePrompt": template["requirePrompt"],
        "requireImage": template["requireImage"],
        "prompt": f"Make a {template['name'].lower()} video",
        "inputs": inputs,
    }
