import pytest

from fangkong.funds.services import check_save_policy


@pytest.fixture
def policy(tree):
    policy, _ = check_save_policy(
        code="YCX2020",
        name="一线医务人员一次性慰问金",
        basis="渝人社发〔2020〕12号",
        rates={"援鄂医疗队员": 500000, "本地医务人员": 200000},
        region=tree.city,
    )
    return policy
