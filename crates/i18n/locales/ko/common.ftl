# 공통 메시지. { $name } 자리에 들어가는 값은 주석에 HTML이라고 적지 않은 한 일반 텍스트입니다.
# 조사는 직접 쓰지 말고 JOSA/PARTICLE 함수로 고르세요: { JOSA($name, "을/를") }.

## 크레이트 문서의 예제.
example-greeting = { JOSA($name, "을/를") } 찾았습니다.

## 운영 체제가 알려 준 오류를 종류별로(경로 뒤, 더 큰 메시지 안에 들어감). 영어에서는 OS의 문장을 그대로 씁니다.
io-not-found = 파일이나 디렉터리가 없습니다
io-permission-denied = 권한이 없습니다
io-already-exists = 파일이 이미 있습니다
io-storage-full = 디스크에 남은 공간이 없습니다
io-read-only = 읽기 전용 파일 시스템입니다
io-not-a-directory = 디렉터리가 아닙니다
io-is-a-directory = 디렉터리입니다
io-directory-not-empty = 디렉터리가 비어 있지 않습니다
io-quota-exceeded = 디스크 할당량을 넘었습니다
io-broken-pipe = 파이프가 끊겼습니다
io-timed-out = 시간이 초과되었습니다
io-connection-refused = 연결이 거부되었습니다
io-os-error = { $what }(os error { $code })
