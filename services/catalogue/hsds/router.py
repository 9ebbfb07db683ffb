from fastapi import APIRouter

router = APIRouter(prefix="/hsds", tags=["hsds"])
