# 공통 메시지. { $name } 자리에 들어가는 값은 주석에 HTML이라고 적지 않은 한 일반 텍스트입니다.
# 조사는 직접 쓰지 말고 JOSA/PARTICLE 함수로 고르세요: { JOSA($name, "을/를") }.

## 크레이트 문서의 예제.
example-greeting = { JOSA($name, "을/를") } 찾았습니다.
