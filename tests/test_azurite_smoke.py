from azure.data.tables.aio import TableServiceClient

from devtools.azurite import Azurite


async def test_azurite_accepts_a_table_round_trip(azurite: Azurite, table_prefix: str) -> None:
    async with TableServiceClient.from_connection_string(azurite.connection_string) as svc:
        table = await svc.create_table_if_not_exists(f"{table_prefix}smoke")
        await table.create_entity({"PartitionKey": "p", "RowKey": "r", "v": 1})
        entity = await table.get_entity("p", "r")
        assert entity["v"] == 1
